/* Synthetic tickets (`rexian demo`): callers, their words, and the life of
 * each ticket through the workflow, generated from the tables below with a
 * seeded PRNG and loaded through the store's public API only. */
#include "demo.h"

#include "rexian/error.h"
#include "rexian/util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BATCH 2000 /* tickets per transaction */
#define RING 4096  /* recent cases a caller may call about again */
#define DAY 86400.0
#define HOUR 3600.0
#define TZ (8 * HOUR) /* Asia/Shanghai */
#define Q 1           /* a question: mostly answered in the call (一次办结) */
#define U 2           /* urgent: a deadline of one or two days */
#define R 4           /* a village address */
#define M(a) (1u << (a))
#define FLOOD (M(4) | M(5) | M(6) | M(7) | M(8) | M(9)) /* 汛期 */
#define HOT (M(6) | M(7) | M(8))
#define COLD (M(11) | M(12) | M(1) | M(2))
#define TERM (M(5) | M(6) | M(7) | M(8) | M(9)) /* 招生入学 */

/* ---- what people call about ---- */

/* clang-format off */

enum { DRAIN, WATER, POWER, GAS, NOISE, PROPERTY, DEED, PENSION, MEDICAL, FUND, SCHOOL,
       TRAFFIC, SANITATION, WAGES, CONSUMER, HOUSEHOLD, URBAN, ENV, CIVIL, RURAL, HEALTH,
       SAFETY };

/* A category and the departments a 会商 adds (NULL: the area's government). */
static const struct {
    const char *name, *co[2];
} cats[] = {
    [DRAIN] = {"排水", {"市住房和城乡建设局", "市水务局"}},
    [WATER] = {"供水", {"市水务局", NULL}},
    [POWER] = {"供电", {"市发展和改革委员会", NULL}},
    [GAS] = {"燃气", {"市应急管理局", "市住房和城乡建设局"}},
    [NOISE] = {"噪音", {"市公安局", "市城市管理和综合执法局"}},
    [PROPERTY] = {"物业", {NULL, "市市场监督管理局"}},
    [DEED] = {"房产证", {"市住房和城乡建设局", "市自然资源和规划局"}},
    [PENSION] = {"社保", {"市医疗保障局", NULL}},
    [MEDICAL] = {"医保", {"市卫生健康委员会", "市人力资源和社会保障局"}},
    [FUND] = {"公积金", {"市住房和城乡建设局", NULL}},
    [SCHOOL] = {"教育入学", {NULL, "市公安局"}},
    [TRAFFIC] = {"交通", {"市交通运输局", "市公安局交通警察支队"}},
    [SANITATION] = {"市容环卫", {NULL, "市住房和城乡建设局"}},
    [WAGES] = {"劳动欠薪", {"市住房和城乡建设局", "市司法局"}},
    [CONSUMER] = {"消费维权", {"市商务局", NULL}},
    [HOUSEHOLD] = {"户籍", {"市民政局", NULL}},
    [URBAN] = {"城管", {"市自然资源和规划局", NULL}},
    [ENV] = {"环保", {NULL, "市农业农村局"}},
    [CIVIL] = {"民政", {NULL, "市卫生健康委员会"}},
    [RURAL] = {"农村", {"市农业农村局", "市水务局"}},
    [HEALTH] = {"卫生健康", {"市医疗保障局", NULL}},
    [SAFETY] = {"公共安全", {"市应急管理局", NULL}},
};

/* A complaint or question and the department's answer; dept NULL: the
 * government of the caller's area. */
static const struct {
    int cat;
    const char *dept;
    unsigned months; /* busier in these months; 0 = all year */
    unsigned char weight, flags;
    const char *text, *reply;
} tmpls[] = {
    {DRAIN, "市城市管理和综合执法局", FLOOD, 8, U, "{road}靠近{xq}那一段一下雨就积水，水深都快到膝盖了，电动车过不去，好几个人摔倒了，麻烦派人来疏通一下下水道。",
     "经现场核查，{road}段雨水口被落叶和泥沙堵塞，已于{date}组织人员清掏疏通，积水已消退，汛期将加密巡查。"},
    {DRAIN, "市城市管理和综合执法局", FLOOD, 6, U, "我们{xq}地下车库昨天晚上进水了，排水沟堵得死死的，车子都泡了，物业说是市政管网的问题，到底归谁管？",
     "经核查，{xq}地下车库进水系小区排水沟堵塞、市政管网倒灌所致，已督促物业清淤并加装止回阀。"},
    {DRAIN, "市城市管理和综合执法局", 0, 4, U, "{road}上有个雨水井盖不见了，一个大窟窿，晚上黑漆漆的很危险，请尽快补上。",
     "已于{date}补装{road}缺失的雨水井盖，并对周边井盖进行了排查加固。"},
    {DRAIN, "市住房和城乡建设局", 0, 4, 0, "{xq}门口的下水道返臭水，污水漫到路上，已经{day}天了，气味熏得人受不了。",
     "经查系{xq}门口污水管道堵塞，已于{date}疏通完毕，路面已冲洗消杀。"},
    {DRAIN, "市城市管理和综合执法局", FLOOD, 5, 0, "一到下大雨{road}那一段就内涝，每年都反映，每年都一样，能不能从根本上把排水管改造一下？",
     "该处积水系排水管网管径偏小所致，已列入今年排水防涝改造计划，改造前安排专人值守和临时抽排。"},
    {WATER, "市供水公司", COLD, 6, U, "{xq}{n}栋从今天早上就停水了，也没看到停水通知，家里老人小孩都等着用水，什么时候能来水？",
     "经查系{road}供水管道爆管抢修造成临时停水，已于{date}恢复供水，对未提前告知带来的不便表示歉意。"},
    {WATER, "市供水公司", M(12) | M(1) | M(2), 4, U, "天太冷了，{xq}的水表和水管冻裂了，漏了一地水，打供水公司电话一直占线，请帮忙联系维修。",
     "维修人员已于{date}上门更换冻裂的水表和管段，并提醒住户对室外水表做好保温。"},
    {WATER, "市供水公司", 0, 3, 0, "最近家里自来水一打开是黄的，有股铁锈味，烧开了还有沉淀，{xq}好多住户都这样，担心水质有问题。",
     "已上门取样检测，水质各项指标符合国家标准，发黄系老旧管道锈蚀，已对该片区管网冲洗。"},
    {WATER, "市供水公司", HOT, 3, 0, "{xq}顶楼水压太小了，一到用水高峰就没水，洗澡都洗不了，好几年了，能不能加个二次供水？",
     "经测压，{xq}高层用水高峰期水压不足，已纳入二次供水改造计划，改造前调整了加压泵运行时段。"},
    {POWER, "国网株洲供电公司", HOT | M(1), 6, U, "今天{xq}又停电了，这个月已经停了{n}次，天这么热，家里老人受不了，供电公司能不能说清楚原因？",
     "经查系用电负荷过大导致线路跳闸，已于{date}对该台区变压器增容，供电恢复正常。"},
    {POWER, "国网株洲供电公司", 0, 2, 0, "我家电表走得特别快，上个月电费比平时多了{money}块，怀疑电表有问题，想申请校验。",
     "已安排人员上门现场校验电表，误差在允许范围内，并向市民解释了阶梯电价的计费方式。"},
    {POWER, "国网株洲供电公司", 0, 2, 0, "{xq}旁边的变压器嗡嗡响，晚上吵得睡不着，离窗户又太近，担心有辐射。",
     "经检测，该变压器噪声和电磁环境均符合国家标准，已加装减振垫降低噪声。"},
    {GAS, "市燃气公司", COLD, 4, U, "{xq}{n}栋楼道里有很大的煤气味，怀疑哪里漏气了，麻烦燃气公司赶紧派人来看看。",
     "接报后抢修人员30分钟内到达现场，查明系楼道立管接口松动漏气，已更换接口，复检无泄漏。"},
    {GAS, "市燃气公司", COLD, 4, Q, "天冷了开燃气壁挂炉取暖，最近燃气费一个月要{money}多，比去年贵了一大截，是不是涨价了？",
     "经核实，燃气价格执行市发改委核定标准，未作调整；冬季用气量增加导致费用上升，已向市民解释。"},
    {GAS, "市燃气公司", 0, 2, 0, "我们{xq}交了燃气开户费都{nn}个月了，管道还没通气，天天只能用电磁炉，开发商和燃气公司互相推。",
     "经协调，开发商已完成{xq}庭院管网验收，燃气公司已于{date}点火通气。"},
    {GAS, "市燃气公司", 0, 2, Q, "有人上门说是燃气安检，说我家软管要换，非要买他们带的，要{money}块，这个合理吗？是不是燃气公司的人？",
     "经核实，上门人员并非燃气公司员工，燃气公司安检不推销产品，已提醒市民谨防上当，并将线索移交公安机关。"},
    {NOISE, "市城市管理和综合执法局", M(3) | M(4) | M(5) | M(9) | M(10), 6, 0, "{xq}旁边有个工地天天晚上施工到十二点多，打桩机响个不停，根本没法睡觉，晚上能不能管一管？",
     "执法人员已到场责令夜间停止施工，并告知夜间施工须办理许可，后续将不定期巡查。"},
    {NOISE, "市住房和城乡建设局", M(3) | M(4) | M(5), 5, 0, "楼上那家装修，周末一大早七点就开始电钻，按规定不是不能这么早吗？说了也不听。",
     "已联系物业上门告知装修时段规定：工作日12至14时、18时后不得进行噪声较大的施工，业主已承诺遵守。"},
    {NOISE, "市公安局", M(4) | M(5) | M(6) | M(7) | M(8) | M(9) | M(10), 5, 0, "{road}边上那个广场舞每天晚上音响开得震天响，一直跳到十点多，家里小孩要写作业，吵得不行。",
     "辖区派出所已对相关人员劝导教育，要求控制音量和时间，市民表示理解。"},
    {NOISE, "市城市管理和综合执法局", HOT, 3, 0, "{xq}附近的烧烤店半夜两三点还在营业，喝酒划拳吵得不得了，油烟也大。",
     "执法人员已对该烧烤店查处，责令安装油烟净化设施、晚上十点后停止露天经营。"},
    {NOISE, "市生态环境局", M(5) | M(6), 3, U, "快高考了，{xq}旁边工地还在夜间施工，孩子没法复习，高考期间能不能停一停？",
     "高考期间已责令{xq}周边工地夜间全部停工，执法人员每晚巡查。"},
    {PROPERTY, "市住房和城乡建设局", 0, 6, 0, "{xq}物业费涨了还不干事，电梯坏了{day}天都没人修，楼里老人上下楼太难了。",
     "已约谈{xq}物业服务企业，责令限期整改，电梯已于{date}修复并通过检验。"},
    {PROPERTY, NULL, 0, 3, 0, "我们{xq}的物业要撤场了，垃圾没人清，门岗没人守，业委会也没成立，社区能不能管一管？",
     "已会同街道、社区指导业主依法成立业主委员会，过渡期由社区组织临时物业服务。"},
    {PROPERTY, "市住房和城乡建设局", 0, 3, Q, "{xq}的维修基金怎么申请？楼顶漏水，物业说要全体业主签字，太难了。",
     "已告知维修资金应急使用程序：屋面漏水属于紧急情况，可由物业申请应急使用，无须全体业主签字。"},
    {PROPERTY, "市住房和城乡建设局", 0, 2, 0, "物业在{xq}绿化带里划了停车位收费，我们业主都没同意，这合法吗？",
     "经核查，物业占用绿地设置收费车位未经业主大会同意，已责令恢复绿地并停止收费。"},
    {DEED, "市不动产登记中心", 0, 4, 0, "我{year}年在{xq}买的房子，到现在都没办下房产证，开发商说是土地有问题，一百多户业主都办不了证。",
     "经核查，该项目因土地出让金未缴清暂不能办证，已督促开发企业补缴，预计下月起分批办理不动产权证。"},
    {DEED, "市不动产登记中心", 0, 4, Q, "想问一下二手房过户要准备哪些材料，在哪里办，要不要预约？",
     "已告知二手房过户所需材料，可通过“株洲不动产”公众号预约办理。"},
    {DEED, "市不动产登记中心", 0, 2, 0, "不动产登记中心窗口排了{n}个小时的队，叫号系统还坏了，能不能多开几个窗口？",
     "已在窗口增开{n}个，叫号系统已于{date}修复，并推行网上预约分时段办理。"},
    {DEED, "市住房和城乡建设局", 0, 2, 0, "房子交房都{n}年了，开发商一直不给办不动产证，还说要补交什么费用，这样合理吗？",
     "经核实，开发商要求补交的费用无政策依据，已责令其停止收取并尽快为业主办证。"},
    {PENSION, "市人力资源和社会保障局", 0, 4, Q, "我在外地交了{n}年社保，现在回株洲工作了，想把社保转过来，要怎么办？",
     "已告知社保关系转移接续的办理流程，可通过国家社会保险公共服务平台线上申请。"},
    {PENSION, "市人力资源和社会保障局", 0, 3, 0, "退休手续办了{n}个月了，养老金还没发下来，问社保局说在审核，到底要多久？",
     "经核实，您的养老保险待遇已审核通过，下月起按月发放，并补发之前的待遇。"},
    {PENSION, "市人力资源和社会保障局", M(1) | M(2) | M(3) | M(12), 3, Q, "灵活就业人员的养老保险今年缴费基数是多少？网上交不了，一直提示失败。",
     "已告知今年灵活就业人员缴费基数档次，网上缴费失败系系统升级，现已恢复。"},
    {PENSION, "市人力资源和社会保障局", 0, 3, Q, "社保卡丢了要补办，能不能在网上办，还是必须去窗口？",
     "已告知社保卡可在“湘易办”APP或合作银行网点挂失补办，补卡即时制卡。"},
    {MEDICAL, "市医疗保障局", 0, 4, Q, "我在外地住院，医保异地就医备案怎么办？医院说没备案报不了。",
     "已告知异地就医备案可通过“国家医保服务平台”APP或“湘医保”小程序线上办理，备案后直接结算。"},
    {MEDICAL, "市医疗保障局", 0, 3, 0, "医保卡在药店刷不了，说是账户被冻结了，我什么都没做啊，请帮忙查一下。",
     "经核查，该医保账户因参保信息比对异常被暂停，已于{date}恢复正常使用。"},
    {MEDICAL, "市医疗保障局", M(9) | M(10) | M(11) | M(12), 4, Q, "今年城乡居民医保又涨了，想问一下标准是怎么定的，困难家庭有没有减免？",
     "已向市民解释城乡居民医保个人缴费标准由国家统一调整，特困、低保等困难群众由财政资助参保。"},
    {MEDICAL, "市医疗保障局", 0, 2, 0, "{xq}旁边那家诊所说可以用医保，结账的时候又说不行，还多收了{money}块钱。",
     "经核查，该定点机构存在违规收费行为，已责令退还多收费用并依规处理。"},
    {MEDICAL, "市医疗保障局", 0, 3, Q, "门诊慢特病怎么申请？家里老人高血压糖尿病，每个月药费不少，医保能报多少？",
     "已告知门诊慢特病的申请材料和认定流程，可在定点医院或线上申请，认定后按规定报销。"},
    {FUND, "市住房公积金管理中心", 0, 4, Q, "想提取住房公积金付房租，需要什么材料？线上能办吗？",
     "已告知租房提取公积金所需材料，可通过公积金APP线上办理，一般3个工作日内到账。"},
    {FUND, "市住房公积金管理中心", 0, 3, 0, "公积金贷款审批已经{nn}天了还没放款，开发商一直催，请问卡在哪个环节？",
     "经核实，您的贷款材料已审核完毕，已于{date}放款，审批较慢系开发商备案材料不全所致。"},
    {FUND, "市住房公积金管理中心", 0, 2, 0, "单位一直没给我交公积金，入职都{n}年了，我该怎么维权？",
     "已责令用人单位限期为您办理住房公积金缴存登记并补缴，逾期将依法处理。"},
    {FUND, "市住房公积金管理中心", 0, 3, Q, "在外地买房能不能用株洲的公积金贷款？公积金提取额度怎么算？",
     "已告知异地购房公积金贷款的条件、额度计算办法和所需材料。"},
    {SCHOOL, "市教育局", TERM, 5, Q, "孩子今年上小学，我们户口在{xq}，划片学校是哪所？网上报名系统一直登录不上。",
     "已告知{xq}对应的划片学校及报名时间，报名系统登录问题系访问量过大，已扩容处理。"},
    {SCHOOL, "市教育局", TERM, 4, Q, "我们是外地来株洲务工的，孩子想在{area}读初中，随迁子女入学需要哪些证明？",
     "已告知随迁子女入学所需的居住证明、务工证明等材料和报名时间。"},
    {SCHOOL, "市教育局", M(3) | M(4) | M(10) | M(11), 3, 0, "{school}每天放学后补课到六点多，还要收资料费，学校是不是违规了？",
     "经调查，该校存在违规收费问题，已责令退还相关费用，并约谈学校负责人。"},
    {SCHOOL, "市公安局交通警察支队", M(9) | M(10), 3, 0, "{school}门口接送孩子的时候堵得水泄不通，家长车子乱停，能不能安排交警疏导一下？",
     "交警已在{school}上下学时段增派警力疏导，并施划了临时停车区域。"},
    {SCHOOL, "市教育局", M(2) | M(8) | M(9), 2, Q, "幼儿园一学期收{money}块保教费，另外还收伙食费、兴趣班费，这个标准是谁批的？",
     "已告知幼儿园保教费标准由发改部门核定，代收费须自愿，经核查该园收费符合规定。"},
    {TRAFFIC, "市交通运输局", 0, 4, 0, "{bus}路公交车经常半个小时都等不到一趟，早上上班根本赶不上，能不能加密一下班次？",
     "已联系公交公司，{bus}路高峰期增加{n}台车，发车间隔缩短至10分钟以内。"},
    {TRAFFIC, "市公安局交通警察支队", 0, 3, 0, "{road}那个红绿灯时间设置不合理，绿灯只有十几秒，每次都堵很长。",
     "已会同交警部门重新优化该路口信号灯配时，早晚高峰绿灯时长已延长。"},
    {TRAFFIC, "市交通运输局", 0, 2, 0, "出租车司机不打表，从火车站到{xq}要了{money}块，我记了车牌号，想投诉。",
     "经调查核实，该出租车驾驶员不按规定使用计价器，已责令退还多收费用并依法处罚。"},
    {TRAFFIC, "市公安局交通警察支队", 0, 3, 0, "{road}两边停满了车，违停太多了，公交车都过不去，交警能不能来管一管？",
     "交警已对{road}违停车辆集中整治，并在路段增设了电子抓拍设备。"},
    {TRAFFIC, "市公安局交通警察支队", 0, 3, Q, "驾驶证到期换证可以在网上办吗？需要体检吗？",
     "已告知驾驶证到期换证可通过“交管12123”APP办理，需提交体检信息。"},
    {SANITATION, "市城市管理和综合执法局", HOT, 5, 0, "{xq}门口的垃圾桶满了{n}天都没人清运，臭气熏天，苍蝇蚊子到处飞。",
     "已督促环卫作业单位于{date}完成清运，并把该点位的清运增加到每日早晚各一次。"},
    {SANITATION, "市城市管理和综合执法局", 0, 3, 0, "{road}边上有人乱倒建筑垃圾，堆了一大堆，占了半边路。",
     "已对倾倒建筑垃圾的行为立案调查，现场垃圾已清理完毕。"},
    {SANITATION, "市城市管理和综合执法局", 0, 2, 0, "{road}的人行道砖松动了好多块，下雨天一踩一脚泥水，老人容易摔。",
     "已于{date}修复{road}松动的人行道砖。"},
    {WAGES, "市人力资源和社会保障局", M(12) | M(1) | M(2), 5, 0, "我在{co}干了{n}个月，老板拖欠工资{wage}元不给，眼看要过年了，找他一直躲着不见。",
     "经劳动监察介入调查，已督促用人单位于{date}支付拖欠工资，市民已领到工资。"},
    {WAGES, "市人力资源和社会保障局", M(12) | M(1), 3, 0, "我们{nn}个农民工在{xq}工地干活，包工头跑了，工钱一分没拿到，请政府帮帮忙。",
     "已会同住建部门责令总包单位先行垫付农民工工资，{nn}名工人的工资已于{date}发放到位。"},
    {WAGES, "市人力资源和社会保障局", 0, 3, Q, "公司辞退我没给任何补偿，也没签劳动合同，我想申请劳动仲裁要怎么弄？",
     "已告知劳动争议仲裁的申请材料和程序，可到市劳动人事争议仲裁院申请。"},
    {CONSUMER, "市市场监督管理局", 0, 4, 0, "在{shop}办了一张{money}元的会员卡，现在店关门了，老板联系不上，钱怎么退？",
     "已约谈经营者，经调解双方达成一致，商家同意退还剩余费用。"},
    {CONSUMER, "市市场监督管理局", 0, 2, U, "在菜市场买的猪肉回家一看颜色不对，还有异味，怀疑是病死猪肉。",
     "执法人员已对该摊位现场检查，相关产品已封存送检，将依法处理。"},
    {CONSUMER, "市市场监督管理局", 0, 2, 0, "在{road}一家手机店买的手机是翻新机，商家不给退，还说是我自己摔坏的。",
     "经调解，商家同意为市民办理退货并退还全部货款。"},
    {CONSUMER, "市市场监督管理局", 0, 2, 0, "{xq}附近的加油站感觉加油不足量，加了{nn}升油表都没怎么动。",
     "计量检定人员已对该加油站加油机进行检定，发现一台加油机计量超差，已立案查处。"},
    {CONSUMER, "市市场监督管理局", M(7) | M(8), 2, 0, "培训机构突然关门，我交了{money}元学费，还有{nn}节课没上，怎么退费？",
     "已将该培训机构列入重点监管，督促其制定退费方案，已为{nn}名学员退费。"},
    {HOUSEHOLD, "市公安局", 0, 3, Q, "小孩出生了想上户口，父母一方是外地户口，需要准备什么材料？",
     "已告知所需材料：出生医学证明、父母身份证和户口簿、结婚证，可在辖区派出所户籍窗口办理。"},
    {HOUSEHOLD, "市公安局", 0, 3, Q, "身份证丢了，在外地能不能补办？要多久能拿到？",
     "已告知可通过“湘易办”APP或就近派出所办理身份证异地补领，一般20个工作日内可领取。"},
    {HOUSEHOLD, "市公安局", 0, 2, Q, "想把户口从老家迁到株洲，在{area}买了房子可以落户吗？",
     "已告知购房落户的条件和材料，可持不动产权证到房屋所在地派出所办理。"},
    {URBAN, "市城市管理和综合执法局", 0, 4, 0, "{road}上的流动摊贩把人行道全占了，早上买菜的人多，根本走不过去。",
     "执法人员已到场劝离占道经营，并在早高峰安排专人值守。"},
    {URBAN, "市城市管理和综合执法局", 0, 3, 0, "{xq}{n}栋顶楼有人搭了违章建筑，好大一个铁皮房，跟城管反映过还没拆。",
     "经核查，该建筑未取得规划许可，已下达限期拆除通知书，逾期将依法强制拆除。"},
    {URBAN, "市城市管理和综合执法局", M(6) | M(7) | M(8), 2, U, "{road}旁边的广告牌摇摇晃晃的，刮大风的时候怕掉下来砸到人。",
     "已于{date}对该广告牌进行了拆除加固，消除了安全隐患。"},
    {URBAN, "市城市管理和综合执法局", M(10) | M(11) | M(12) | M(1), 3, 0, "{road}那排路灯坏了好久了，晚上黑乎乎的，下晚班走那里很害怕，麻烦修一下。",
     "已于{date}维修{road}损坏的路灯，现已恢复照明。"},
    {ENV, "市生态环境局", 0, 3, 0, "{area}那边的工厂晚上偷偷排废气，一股刺鼻的味道，晚上窗户都不敢开。",
     "执法人员已对该企业突击检查，发现废气处理设施未正常运行，已责令停产整改并立案查处。"},
    {ENV, "市生态环境局", HOT, 3, 0, "{xq}旁边的河里发黑发臭，还有死鱼，怀疑上游有企业偷排污水。",
     "已对河道水质取样检测并排查上游排口，对一处偷排点位进行了封堵。"},
    {ENV, "市生态环境局", 0, 3, 0, "{xq}楼下餐馆的油烟直接往居民楼里排，家里衣服都晒不了。",
     "已责令该餐馆限期安装油烟净化设施并高空排放。"},
    {ENV, "市生态环境局", M(10) | M(11), 2, R, "田里有人烧秸秆，烟大得很，{road}那边都看不清路了。",
     "已会同镇政府劝阻焚烧秸秆行为，并宣传秸秆综合利用政策。"},
    {CIVIL, "市民政局", 0, 3, Q, "家里老人{nn}岁了，高龄补贴要怎么申请？在哪里办？",
     "已告知高龄津贴的申请条件和材料，可到所在社区或线上申请，审核后按月发放。"},
    {CIVIL, "市民政局", 0, 2, 0, "我家是低保户，这个月低保金没到账，社区说在重新核查，什么时候能发？",
     "经核实，您家低保复核已完成，保障金已于{date}补发到账。"},
    {CIVIL, "市民政局", 0, 2, Q, "想给父亲找个养老院，公办养老院排队要多久？收费标准是多少？",
     "已告知公办养老机构的入住条件、轮候办法和收费标准。"},
    {RURAL, NULL, FLOOD, 3, R, "我们村到镇上那条水泥路坑坑洼洼，下雨全是泥，村民出行很不方便，能不能修一下？",
     "镇里已将该路段纳入今年农村公路提质改造计划，预计{n}月份开工。"},
    {RURAL, NULL, HOT, 3, R, "村里的自来水时有时无，管网太老了，夏天基本靠挑水，反映了好几次了。",
     "已协调水务部门检修村里供水管网，并安排送水车保障饮水。"},
    {RURAL, "市农业农村局", M(3) | M(4) | M(5), 2, R, "村里高标准农田改造把我家的水渠弄坏了，现在田里灌不了水，马上要插秧了。",
     "施工单位已于{date}修复损坏的水渠，保障了插秧用水。"},
    {HEALTH, "市卫生健康委员会", 0, 3, 0, "在{hospital}看病排了一上午的队，挂号处态度恶劣，收费单据也看不懂。",
     "已约谈医院相关负责人，对工作人员批评教育，并优化了挂号流程。"},
    {HEALTH, "市卫生健康委员会", 0, 2, Q, "孩子打疫苗预约不上，社区卫生服务中心说没有疫苗了，什么时候有？",
     "疫苗已于{date}到货，社区卫生服务中心已电话通知预约的市民接种。"},
    {SAFETY, "市自然资源和规划局", FLOOD, 1, U, "{road}边的山坡裂了好大一条缝，前几天下暴雨还掉了石头下来，下面就是居民房子，太危险了！",
     "接报后立即组织人员查看，已设置警戒线并疏散下方住户，正在组织专家制定治理方案。"},
    {SAFETY, "市住房和城乡建设局", FLOOD, 1, U, "{road}路面突然塌了一个坑，有一米多深，已经有车陷进去了，请赶紧处理。",
     "已对塌陷路段围挡，查明系地下排水管破裂掏空路基，已完成抢修回填。"},
    {SAFETY, "市应急管理局", 0, 1, U, "{xq}楼道里好多电动车在充电，还有人把电瓶拿回家充，消防通道也堵了，出了事怎么办？",
     "已联合物业开展电动车违规充电专项整治，清理楼道电动车{nn}辆，并增设了集中充电桩。"},
};

/* ---- where and who ---- */

static const struct {
    const char *name, *gov;
    double weight;
    const char *streets[8];
} areas[] = {
    {"荷塘区", "荷塘区人民政府", 16, {"月塘街道", "宋家桥街道", "桂花街道", "茨菇塘街道", "金山街道", "明照街道", "仙庾镇"}},
    {"芦淞区", "芦淞区人民政府", 17, {"建设街道", "建宁街道", "贺家土街道", "庆云街道", "枫溪街道", "龙泉街道", "白关镇"}},
    {"石峰区", "石峰区人民政府", 12, {"清水塘街道", "响石岭街道", "田心街道", "井墅路街道", "龙头铺街道", "铜塘湾街道"}},
    {"天元区", "天元区人民政府", 18, {"嵩山路街道", "泰山路街道", "栗雨街道", "马家河街道", "群丰镇", "雷打石镇", "三门镇"}},
    {"渌口区", "渌口区人民政府", 7, {"渌口镇", "南洲镇", "淦田镇", "龙船镇", "朱亭镇"}},
    {"醴陵市", "醴陵市人民政府", 12, {"来龙门街道", "阳三石街道", "仙岳山街道", "浦口镇", "白兔潭镇", "东富镇"}},
    {"攸县", "攸县人民政府", 8, {"联星街道", "江桥街道", "网岭镇", "皇图岭镇", "黄丰桥镇"}},
    {"茶陵县", "茶陵县人民政府", 6, {"云阳街道", "思聪街道", "洣江街道", "严塘镇", "虎踞镇"}},
    {"炎陵县", "炎陵县人民政府", 4, {"霞阳镇", "沔渡镇", "十都镇", "水口镇"}},
};

static const char *const xqs[] = {
    "湘水湾", "钻石星城", "神农府", "金色家园", "中央公园", "梦想城", "栗雨湾", "泰和园", "金都花园",
    "芙蓉小区", "明珠花园", "书香门第", "湘江雅苑", "华府", "名都", "时代天骄", "盛世华都",
    "响石花园", "田心小区", "荷塘月色", "建宁小区", "红旗社区", "桂花苑", "月塘小区", "仙庾新苑",
    "枫溪花园", "庆云山庄", "龙泉花园", "白石港小区", "天鹅湖", "神农湾", "天台小区", "学府港湾",
    "珠江花园", "新天地", "翡翠城"};
static const char *const roads[] = {
    "新华西路", "建设中路", "长江北路", "珠江南路", "红旗中路", "人民中路", "车站路", "庆云山路",
    "炎帝大道", "株洲大道", "黄河北路", "泰山路", "天台路", "响石路", "田心大道", "荷塘大道",
    "芦淞路", "贺家土路", "湘芸中路", "红港路", "迎宾大道", "栗雨路", "嵩山路", "仙庾路",
    "铜霞路", "枫溪大道", "神农大道", "时代大道", "合泰路", "太子路"};
static const char *const villages[] = {"新塘", "长岭", "大塘", "石湾", "枫林", "双江", "联合",
                                       "龙潭", "荷花", "白竹", "上塘", "黄泥", "桥头", "茶园"};
static const char *const schools[] = {"株洲市第二中学", "景弘中学", "建宁实验中学", "泰山学校",
                                      "白鹤小学", "何家坳小学", "田心中学", "栗雨小学",
                                      "天元小学", "红旗路小学", "外国语学校", "九方小学"};
static const char *const companies[] = {"一家建筑公司", "一家物流公司", "一家电子厂", "一家餐馆",
                                        "一家装修公司", "一家汽配厂", "芦淞一家服装厂",
                                        "一家快递网点", "一家陶瓷厂"};
static const char *const shops[] = {"小区门口一家健身房", "一家美容美发店", "一家游泳馆",
                                    "一家儿童乐园", "一家干洗店", "一家瑜伽馆"};
static const char *const hospitals[] = {"市中心医院", "市一医院", "市三医院", "区人民医院",
                                        "妇幼保健院", "社区卫生服务中心"};
static const char *const surnames[] = {"李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周",
                                       "吴", "谭", "易", "彭", "曾", "邓", "罗", "贺", "文",
                                       "胡", "朱", "龙", "唐", "肖", "欧阳", "廖", "蒋"};
static const char *const honorifics[] = {"女士", "先生", "女士", "先生", "阿姨", "师傅", "老师"};
static const char *const mobile[] = {"139", "139", "139", "138", "137", "135", "136", "150",
                                     "151", "158", "159", "182", "187", "188", "133", "153",
                                     "180", "189", "130", "131", "186", "177", "199", "173"};
static const char *const again[] = {
    "我{day}天前就反映过这个问题，到现在还没人管！", "又是我，上次打电话说的事情还是没解决。",
    "第二次打电话了，", "之前反映过，一直没有回音，", "这个问题我已经打过好几次12345了，"};

/* clang-format on */

/* ---- how departments and the hotline handle it ---- */

static const char *const levels[] = {NULL, "immediate", "consult", "leader"};
static const char *const supervisors[] = {"supervisor1", "supervisor2", "supervisor3"};
static const char *const consult_approvers[] = {"市政府办副主任", "市政府办分管负责人"};
static const char *const leader_approvers[] = {"市政府副市长", "市政府副秘书长", "市政府秘书长"};
static const char *const return_reasons[] = {
    "经核实，该事项不属于我单位职责范围，建议改派{alt}办理。",
    "诉求地址不清，无法现场核实，请补充具体位置后重新派单。",
    "该问题属于{area}属地管理事项，已与属地对接，请改派。"};
static const char *const reject_reasons[] = {"答复内容过于笼统，未说明具体整改时间，请重新办理。",
                                             "经回访核实问题未实际解决，答复与事实不符，驳回重办。",
                                             "答复未回应群众的主要诉求，请补充办理。"};
static const char *const extend_reasons[] = {"需协调多家单位现场会勘，申请延期。",
                                             "涉及管网改造，需采购材料，申请延期。",
                                             "需等待检测结果，申请延期。"};
static const char *const supervise_notes[] = {NULL, "工单已超过办理时限仍未办结，电话催办。",
                                              "多部门职责交叉，联合会商督办。",
                                              "群众集中反映，纳入“12345热线帮您办”媒体督办。",
                                              "重复投诉多次未解决，专报市政府分管领导督办。"};
static const char *const callback_notes[][3] = {
    {"回访市民，对办理结果表示满意。", "市民表示问题已解决，感谢热线。", "市民表示满意。"},
    {"市民表示基本满意，希望后续加强巡查。", "市民表示基本满意，问题还需观察。",
     "市民基本认可答复。"},
    {"市民表示问题仍未解决，对答复不满意。", "市民反映承办单位未到现场核实，不满意。",
     "市民认为答复是在推诿，不满意。"},
    {"回访电话无人接听。", "回访电话关机。", "回访时市民挂断电话。"}};
static const char *const results[] = {"satisfied", "basically_satisfied", "unsatisfied",
                                      "unreachable"};
static const char *const channels[] = {"phone", "web", "app", "media", "leader_day"};
static const double channel_weights[] = {68, 12, 15, 4, 0.6};

/* Calls per hour of the day, and per weekday (Sunday first), and how the
 * whole volume swells in the rainy summer and dips over the Spring
 * Festival. */
static const double hour_weights[24] = {0.3, 0.15, 0.1, 0.08, 0.08, 0.15, 0.5, 1.5,
                                        4,   7,    8,   7,    4,    4.5,  7,   7.5,
                                        7,   5.5,  3.5, 3,    3,    2.5,  1.5, 0.8};
static const double weekday_weights[7] = {0.5, 1.15, 1.0, 1.0, 1.0, 0.95, 0.6};
static const double month_weights[13] = {0,    0.85, 0.8,  0.95, 1,    1.05, 1.2,
                                         1.25, 1.2,  1.05, 0.9,  0.95, 1};

/* ---- a small PRNG (splitmix64) ---- */

typedef struct {
    uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(rng *r)
{
    return (double)(next64(r) >> 11) * 0x1.0p-53;
}
static int pick(rng *r, size_t n)
{
    return (int)(unif(r) * (double)n);
}
static bool chance(rng *r, double p)
{
    return unif(r) < p;
}
static double between(rng *r, double a, double b)
{
    return a + (b - a) * unif(r);
}

static int pick_weighted(rng *r, const double *w, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    double x = unif(r) * sum;
    for (size_t i = 0; i < n; i++)
        if ((x -= w[i]) < 0)
            return (int)i;
    return (int)n - 1;
}

/* ---- the loader ---- */

/* One caller's matter: enough to word it again when they call back. */
typedef struct {
    int tmpl, area, street, addr, xq, road, village, school, company, shop, hospital, bus;
    int n, nn, day, money, wage, year, building, unit, number, surname, honorific;
    char phone[20];
    const char *alt; /* where a 退单 says the ticket belongs */
} matter;

typedef struct {
    rx_tickets *t;
    rng r;
    double start, end;
    long count, done;
    long first_day, ndays, day; /* the day being filled */
    long *per_day;
    double *times;
    long ntimes, next;
    double tmpl_cum[13][N(tmpls)]; /* per month */
    matter ring[RING];
    long nring, span; /* the ring holds span matters, about 20 days' worth */
    double keep;      /* the chance a new matter joins the ring */
} loader;

/* One ticket's walk. */
typedef struct {
    char id[32];
    double now;
    bool stopped; /* the next action would fall after the end */
    const char *lead;
    long deadline;
    int sup, round, rework;
    char agent[16];
    matter m;
} walk;

static long day_of(double t)
{
    return (long)floor((t + TZ) / DAY);
}
static double day_start(long d)
{
    return (double)d * DAY - TZ;
}
/* 0 for Sunday; day 0 was a Thursday */
static int weekday(long d)
{
    return (int)(((d % 7) + 11) % 7);
}
static int month_of(long d)
{
    char s[11];
    rx_date_format(s, d);
    return atoi(s + 5);
}

/* The first moment at or after t within open..close o'clock, skipping
 * weekends unless the chance to work one comes up. */
static double within_hours(rng *r, double t, double open, double close, double weekend)
{
    for (int k = 0; k < 10; k++) {
        long d = day_of(t);
        double h = (t - day_start(d)) / HOUR;
        int wd = weekday(d);
        if ((wd == 0 || wd == 6) && !chance(r, weekend)) {
            t = day_start(d + 1) + (open + between(r, 0, 1.5)) * HOUR;
            continue;
        }
        if (h < open)
            return day_start(d) + (open + between(r, 0, 1.5)) * HOUR;
        if (h > close) {
            t = day_start(d + 1) + (open + between(r, 0, 1.5)) * HOUR;
            continue;
        }
        return t;
    }
    return t;
}

static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n >= cap)
        n = 0; /* the tables keep every text far below cap */
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
}

/* Expands the {slot}s of text with the matter's values into out; {date}
 * is the day before when. */
static void expand(char *out, size_t cap, const char *text, const matter *m, double when)
{
    char date[32], d[11];
    rx_date_format(d, day_of(when) - 1);
    snprintf(date, sizeof date, "%d月%d日", atoi(d + 5), atoi(d + 8));
    static const char *const names[] = {"xq",   "road",     "area", "alt", "school", "co",
                                        "shop", "hospital", "date", "bus", "n",      "nn",
                                        "day",  "money",    "wage", "year"};
    const char *strs[] = {xqs[m->xq],           roads[m->road],         areas[m->area].name,
                          m->alt ? m->alt : "", schools[m->school],     companies[m->company],
                          shops[m->shop],       hospitals[m->hospital], date};
    const int nums[] = {m->bus, m->n, m->nn, m->day, m->money, m->wage, m->year};
    size_t len = 0;
    out[0] = 0;
    for (const char *p = text; *p;) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (!e) {
            size_t n = strcspn(p + 1, "{") + 1;
            put(out, cap, &len, p, n);
            p += n;
            continue;
        }
        char v[128] = "";
        for (size_t i = 0; i < N(names); i++) {
            if ((size_t)(e - p - 1) != strlen(names[i]) ||
                memcmp(p + 1, names[i], strlen(names[i])) != 0)
                continue;
            if (i < N(strs))
                snprintf(v, sizeof v, "%s", strs[i]);
            else
                snprintf(v, sizeof v, "%d", nums[i - N(strs)]);
        }
        put(out, cap, &len, v, strlen(v));
        p = e + 1;
    }
}

static void new_matter(loader *L, matter *m, int month)
{
    rng *r = &L->r;
    double x = unif(r) * L->tmpl_cum[month][N(tmpls) - 1];
    m->tmpl = 0;
    while (m->tmpl < (int)N(tmpls) - 1 && L->tmpl_cum[month][m->tmpl] <= x)
        m->tmpl++;
    double aw[N(areas)];
    for (size_t i = 0; i < N(areas); i++)
        aw[i] = areas[i].weight;
    m->area = pick_weighted(r, aw, N(areas));
    int ns = 0;
    while (ns < 8 && areas[m->area].streets[ns])
        ns++;
    m->street = pick(r, (size_t)ns);
    bool county = m->area >= 4;
    if (strstr(tmpls[m->tmpl].text, "{xq}"))
        m->addr = 0; /* where the complaint says it is */
    else if ((tmpls[m->tmpl].flags & R) || (county && chance(r, 0.35)))
        m->addr = 2;
    else
        m->addr = chance(r, 0.6) ? 0 : 1;
    m->xq = pick(r, N(xqs));
    m->road = pick(r, N(roads));
    m->village = pick(r, N(villages));
    m->school = pick(r, N(schools));
    m->company = pick(r, N(companies));
    m->shop = pick(r, N(shops));
    m->hospital = pick(r, N(hospitals));
    m->bus = 1 + pick(r, 60);
    m->n = 2 + pick(r, 7);
    m->nn = 10 + pick(r, 80);
    m->day = 2 + pick(r, 14);
    m->money = 10 * (10 + pick(r, 490));
    m->wage = 1000 * (3 + pick(r, 50));
    m->year = 2012 + pick(r, 10);
    m->building = 1 + pick(r, 30);
    m->unit = 1 + pick(r, 4);
    m->number = 1 + pick(r, 300);
    m->surname = pick(r, N(surnames));
    m->honorific = pick(r, N(honorifics));
    if (chance(r, 0.04))
        snprintf(m->phone, sizeof m->phone, "0731-2%07d", pick(r, 10000000));
    else
        snprintf(m->phone, sizeof m->phone, "%s%08d", mobile[pick(r, N(mobile))],
                 pick(r, 100000000));
}

static void address(char *out, size_t cap, const matter *m)
{
    const char *a = areas[m->area].name, *s = areas[m->area].streets[m->street];
    if (m->addr == 0)
        snprintf(out, cap, "%s%s%s%d栋%d单元", a, s, xqs[m->xq], m->building, m->unit);
    else if (m->addr == 1)
        snprintf(out, cap, "%s%s%s%d号", a, s, roads[m->road], m->number);
    else
        snprintf(out, cap, "%s%s%s村%d组", a, s, villages[m->village], m->unit + m->n);
}

static const char *dept_of(const matter *m)
{
    const char *d = tmpls[m->tmpl].dept;
    return d ? d : areas[m->area].gov;
}

/* Takes action on w's ticket at time at (not before its last one). Past
 * the end, w->stopped is set and nothing is done. Brief answers, except
 * for the actions that set a deadline: the walk times the reply by it. */
static int act(loader *L, walk *w, double at, const char *who, const char *role, cJSON *body)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "action");
    bool deadline = cJSON_IsString(name) &&
                    (!strcmp(name->valuestring, "dispatch") ||
                     !strcmp(name->valuestring, "reject") || !strcmp(name->valuestring, "extend"));
    if (at < w->now + 30)
        at = w->now + 30 + between(&L->r, 0, 600);
    if (at >= L->end || w->stopped) {
        w->stopped = true;
        cJSON_Delete(body);
        return RX_OK;
    }
    w->now = at;
    rx_actor a = {.name = who,
                  .role = role,
                  .department = strcmp(role, "department") == 0 ? who : NULL,
                  .now = at,
                  .brief = !deadline};
    cJSON *out = NULL;
    int rc = body ? rx_tickets_act(&out, L->t, w->id, body, &a) : RX_ENOMEM;
    if (rc != RX_OK) {
        char *s = body ? cJSON_PrintUnformatted(body) : NULL;
        fprintf(stderr, "rx_tickets_demo: rx_tickets_act %s %s: %s (%s)\n", w->id,
                s ? s : "(no memory)", rx_error_last(), rx_error_reason());
        free(s);
    } else {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(out, "deadline");
        if (cJSON_IsString(d))
            w->deadline = rx_date_parse(d->valuestring, strlen(d->valuestring));
    }
    cJSON_Delete(out);
    cJSON_Delete(body);
    return rc;
}

static cJSON *action(const char *name)
{
    cJSON *b = cJSON_CreateObject();
    if (b && !cJSON_AddStringToObject(b, "action", name)) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

static cJSON *with(cJSON *b, const char *key, const char *value)
{
    if (b && !cJSON_AddStringToObject(b, key, value)) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

#define STEP(call)                                                                                 \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != RX_OK || w->stopped)                                                            \
            return rc_;                                                                            \
    } while (0)

/* One of the sixteen call-takers, named in w. */
static const char *agent_for(loader *L, walk *w)
{
    snprintf(w->agent, sizeof w->agent, "agent%02d", 1 + pick(&L->r, 16));
    return w->agent;
}

static int dispatch(loader *L, walk *w, int level, const char *lead)
{
    static const int days[] = {3, 5, 10, 15};
    rng *r = &L->r;
    int cat = tmpls[w->m.tmpl].cat;
    const char *gov = areas[w->m.area].gov, *cand[3] = {NULL, NULL, NULL};
    int nc = 0;
    for (int i = 0; i < 3; i++) { /* co-handlers: the category's, then the area's */
        const char *c = i < 2 && cats[cat].co[i] ? cats[cat].co[i] : gov;
        bool dup = !strcmp(c, lead);
        for (int j = 0; j < nc; j++)
            dup = dup || !strcmp(c, cand[j]);
        if (!dup)
            cand[nc++] = c;
    }
    if (nc == 0)
        cand[nc++] = "市12345热线服务中心";
    int want = level == RX_LEVEL_CONSULT  ? 1 + chance(r, 0.4)
               : level == RX_LEVEL_LEADER ? pick(r, 3)
                                          : 0;
    cJSON *b = with(with(action("dispatch"), "level", levels[level]), "lead", lead);
    cJSON *co = b ? cJSON_AddArrayToObject(b, "co") : NULL;
    for (int i = 0; co && i < want && i < nc; i++)
        cJSON_AddItemToArray(co, cJSON_CreateString(cand[i]));
    if (level == RX_LEVEL_CONSULT)
        b = with(b, "approved_by", consult_approvers[pick(r, N(consult_approvers))]);
    if (level == RX_LEVEL_LEADER)
        b = with(b, "approved_by", leader_approvers[pick(r, N(leader_approvers))]);
    if (b && (tmpls[w->m.tmpl].flags & U))
        cJSON_AddNumberToObject(b, "deadline_days", 1 + pick(r, 2));
    else if (b && chance(r, 0.1))
        cJSON_AddNumberToObject(b, "deadline_days", days[pick(r, N(days))]);
    w->lead = lead;
    /* consult and leader dispatches are a supervisor's (they need approval) */
    bool agent = level == RX_LEVEL_IMMEDIATE;
    return act(L, w, within_hours(r, w->now + between(r, 300, 5400), 7, 22, 1),
               agent ? agent_for(L, w) : supervisors[w->m.tmpl % N(supervisors)],
               agent ? "agent" : "supervisor", b);
}

static int supervise(loader *L, walk *w, double at, int kind)
{
    if (kind < w->sup)
        return RX_OK; /* never steps down */
    w->sup = kind;
    cJSON *b = with(with(action("supervise"), "kind", rx_supervision_name(kind)), "note",
                    supervise_notes[kind]);
    return act(L, w, at, supervisors[pick(&L->r, N(supervisors))], "supervisor", b);
}

/* From received or reopened to closed: dispatch (with 退单), accept,
 * reply (on time mostly), review (with 驳回重办). */
static int handle(loader *L, walk *w, int level)
{
    rng *r = &L->r;
    char text[2048];
    const char *lead = dept_of(&w->m);
    if (w->round > 1 && w->lead)
        lead = w->lead;
    STEP(dispatch(L, w, level, lead));
    for (int k = 0; k < 2 && chance(r, k ? 0.1 : 0.05); k++) { /* 退单 */
        int cat = tmpls[w->m.tmpl].cat;
        const char *cand[] = {cats[cat].co[0], cats[cat].co[1], areas[w->m.area].gov,
                              "市城市管理和综合执法局"};
        w->m.alt = NULL;
        for (size_t i = (size_t)k; i < N(cand) && !w->m.alt; i++)
            if (cand[i] && strcmp(cand[i], w->lead) != 0)
                w->m.alt = cand[i];
        expand(text, sizeof text, return_reasons[pick(r, N(return_reasons))], &w->m, w->now);
        STEP(act(L, w, within_hours(r, w->now + between(r, HOUR, 20 * HOUR), 8.5, 17.5, 0.05),
                 w->lead, "department", with(action("return"), "reason", text)));
        STEP(dispatch(L, w, RX_LEVEL_IMMEDIATE, w->m.alt));
    }
    bool late = chance(r, level == RX_LEVEL_IMMEDIATE ? 0.05 : 0.15);
    for (int pass = 0;; pass++) {
        STEP(act(L, w, within_hours(r, w->now + between(r, 0.3 * HOUR, 6 * HOUR), 8.5, 17.5, 0.05),
                 w->lead, "department", action("accept")));
        if (chance(r, 0.03)) { /* 延期 */
            cJSON *b = with(action("extend"), "reason", extend_reasons[pick(r, N(extend_reasons))]);
            if (b)
                cJSON_AddNumberToObject(b, "deadline_days", 3 + pick(r, 8));
            STEP(act(L, w, within_hours(r, w->now + between(r, 2 * HOUR, 2 * DAY), 8.5, 17.5, 0),
                     w->lead, "department", b));
        }
        double due = w->deadline == RX_DATE_INVALID ? w->now + 5 * DAY : day_start(w->deadline + 1);
        double span = due - w->now > HOUR ? due - w->now : HOUR;
        double reply = late ? due + between(r, 0.5 * DAY, 12 * DAY)
                            : w->now + span * (0.1 + 0.85 * pow(unif(r), 1.3));
        reply = within_hours(r, reply, 8.5, 18, 0.05);
        int kinds[4], nk = 0;
        if (late && chance(r, 0.7))
            kinds[nk++] = RX_SUP_HOTLINE;
        if (level == RX_LEVEL_CONSULT && chance(r, 0.05))
            kinds[nk++] = RX_SUP_JOINT;
        if (chance(r, 0.003))
            kinds[nk++] = RX_SUP_MEDIA;
        if (tmpls[w->m.tmpl].cat == SAFETY || (level == RX_LEVEL_LEADER && chance(r, 0.3)))
            kinds[nk++] = RX_SUP_LEADER;
        for (int i = 0; i < nk; i++) {
            double at = kinds[i] == RX_SUP_HOTLINE ? due + between(r, 0, 0.4) * (reply - due)
                                                   : w->now + (reply - w->now) * (i + 1) / (nk + 1);
            STEP(supervise(L, w, within_hours(r, at, 8.5, 17.5, 0.2), kinds[i]));
        }
        expand(text, sizeof text, tmpls[w->m.tmpl].reply, &w->m, reply);
        if (pass > 0) /* the second answer, after 驳回重办 */
            strncat(text, "经重新核查，已补充整改到位。", sizeof text - strlen(text) - 1);
        STEP(act(L, w, reply, w->lead, "department", with(action("reply"), "text", text)));
        double review = within_hours(r, w->now + between(r, HOUR, 30 * HOUR), 8.5, 17.5, 0.1);
        if (pass < 2 && chance(r, pass ? 0.1 : 0.05)) { /* 驳回重办 */
            w->rework++;
            STEP(act(L, w, review, supervisors[pick(r, N(supervisors))], "supervisor",
                     with(action("reject"), "reason", reject_reasons[pick(r, N(reject_reasons))])));
            late = chance(r, 0.1);
            continue;
        }
        return act(L, w, review, supervisors[pick(r, N(supervisors))], "supervisor",
                   action("approve"));
    }
}

/* Calls the citizen back until the ticket is archived: 二次办理 when they
 * are not satisfied, archived on the third unreachable call. */
static int callbacks(loader *L, walk *w, bool first_contact)
{
    rng *r = &L->r;
    for (int unreachable = 0;;) {
        double at = within_hours(r, w->now + between(r, 0.5 * DAY, 3 * DAY), 9, 20.5, 0.5);
        double p_unsat = first_contact ? 0.03 : w->round > 1 ? 0.15 : 0.08 + 0.1 * w->rework;
        if (w->round >= 3)
            p_unsat = 0;
        double weights[4] = {first_contact ? 0.8 : 0.68, 0.17, p_unsat, 0.06};
        int res = pick_weighted(r, weights, 4);
        cJSON *b = with(with(action("callback"), "result", results[res]), "note",
                        callback_notes[res][pick(r, 3)]);
        STEP(act(L, w, at, agent_for(L, w), "agent", b));
        if (res == 3 && ++unreachable < 3)
            continue;
        if (res != 2)
            return RX_OK;
        w->round++;
        if (w->round >= 3 && chance(r, 0.2))
            STEP(act(L, w, w->now + between(r, HOUR, DAY), supervisors[pick(r, N(supervisors))],
                     "supervisor",
                     with(action("refer_discipline"), "note",
                          "承办单位多次敷衍塞责，相关作风问题线索移交市纪委监委。")));
        int level = w->round >= 3    ? (chance(r, 0.3) ? RX_LEVEL_LEADER : RX_LEVEL_CONSULT)
                    : chance(r, 0.3) ? RX_LEVEL_CONSULT
                                     : RX_LEVEL_IMMEDIATE;
        STEP(handle(L, w, level));
        first_contact = false;
        unreachable = 0;
    }
}

static int walk_ticket(loader *L, double created)
{
    rng *r = &L->r;
    walk w_ = {.now = created, .deadline = RX_DATE_INVALID, .round = 1}, *w = &w_;
    int month = month_of(day_of(created));
    bool repeat = L->nring > 0 && chance(r, 0.06);
    if (repeat)
        w->m = L->ring[pick(r, (size_t)(L->nring < L->span ? L->nring : L->span))];
    else {
        new_matter(L, &w->m, month);
        if (chance(r, L->keep))
            L->ring[L->nring++ % L->span] = w->m;
    }
    const matter *m = &w->m;
    char content[4096], text[2048], addr[256], caller[64];
    content[0] = 0;
    if (repeat)
        expand(content, sizeof content, again[pick(r, N(again))], m, created);
    expand(text, sizeof text, tmpls[m->tmpl].text, m, created);
    strncat(content, text, sizeof content - strlen(content) - 1);
    address(addr, sizeof addr, m);
    snprintf(caller, sizeof caller, "%s%s", surnames[m->surname], honorifics[m->honorific]);
    int ch = pick_weighted(r, channel_weights, N(channels));

    cJSON *body = with(with(cJSON_CreateObject(), "channel", channels[ch]), "content", content);
    if (!chance(r, 0.05))
        body = with(body, "caller", ch == 3 ? "知株侠网友" : caller);
    if (ch != 3 && !chance(r, 0.03))
        body = with(body, "phone", m->phone);
    if (!(tmpls[m->tmpl].flags & Q) || chance(r, 0.5))
        body = with(body, "address", addr);
    body = with(body, "category", cats[tmpls[m->tmpl].cat].name);
    rx_actor a = {.name = agent_for(L, w), .role = "agent", .now = created, .brief = true};
    cJSON *out = NULL;
    int rc = body ? rx_tickets_create(&out, L->t, body, &a) : RX_ENOMEM;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(out, "id");
    if (rc == RX_OK && !cJSON_IsString(id)) {
        rc = rx_error_set(RX_EIO, "the created ticket has no id");
    }
    if (rc != RX_OK) {
        fprintf(stderr, "rx_tickets_demo: rx_tickets_create: %s (%s)\n", rx_error_last(),
                rx_error_reason());
    } else {
        snprintf(w->id, sizeof w->id, "%s", id->valuestring);
    }
    cJSON_Delete(out);
    cJSON_Delete(body);
    if (rc != RX_OK)
        return rc;

    bool fc = ch < 3 && !(tmpls[m->tmpl].flags & U) &&
              chance(r, (tmpls[m->tmpl].flags & Q) ? 0.85 : 0.33);
    if (fc) {
        cJSON *b = action("resolve_first_contact");
        if (b && !cJSON_AddArrayToObject(b, "doc_ids"))
            cJSON_Delete(b), b = NULL;
        STEP(act(L, w, created + between(r, 120, 900), w->agent, "agent", b));
    } else {
        int level = ch == 4 || tmpls[m->tmpl].cat == SAFETY ? RX_LEVEL_LEADER
                    : chance(r, 0.12)                       ? RX_LEVEL_CONSULT
                    : chance(r, 0.005)                      ? RX_LEVEL_LEADER
                                                            : RX_LEVEL_IMMEDIATE;
        STEP(handle(L, w, level));
    }
    return callbacks(L, w, fc);
}

/* Spreads the day's tickets over its hours (inside [start, end)), sorted. */
static int fill_day(loader *L)
{
    long n = L->per_day[L->day - L->first_day];
    double *v = realloc(L->times, (size_t)(n ? n : 1) * sizeof *v);
    if (!v)
        return rx_error_set(RX_ENOMEM, "out of memory");
    L->times = v;
    double d0 = day_start(L->day);
    double lo = d0 > L->start ? d0 : L->start, hi = d0 + DAY < L->end ? d0 + DAY : L->end;
    for (long i = 0; i < n; i++) {
        double t = lo + (hi - lo) * unif(&L->r);
        for (int k = 0; k < 64; k++) {
            double c = d0 + (pick_weighted(&L->r, hour_weights, 24) + unif(&L->r)) * HOUR;
            if (c >= lo && c < hi) {
                t = c;
                break;
            }
        }
        v[i] = t;
    }
    for (long i = 1; i < n; i++) /* insertion sort: a day is a few thousand */
        for (long j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    L->ntimes = n;
    L->next = 0;
    return RX_OK;
}

static int load_batch(void *ctx, rx_tickets *t)
{
    loader *L = ctx;
    (void)t;
    long stop = L->done + BATCH < L->count ? L->done + BATCH : L->count;
    while (L->done < stop) {
        while (L->next >= L->ntimes) {
            L->day++;
            int rc = fill_day(L);
            if (rc != RX_OK)
                return rc;
        }
        int rc = walk_ticket(L, L->times[L->next++]);
        if (rc != RX_OK)
            return rc;
        L->done++;
    }
    return RX_OK;
}

int rx_tickets_demo(rx_tickets *t, long count, unsigned seed, double start, double end,
                    void (*progress)(void *ctx, long done, long total), void *ctx)
{
    if (count < 0 || !(end > start) || end - start > 100 * 366 * DAY) {
        fprintf(stderr, "rx_tickets_demo: bad count or time range\n");
        return rx_error_set(RX_EINVALID, "rx_tickets_demo: bad count or time range");
    }
    loader *L = calloc(1, sizeof *L);
    if (!L)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = RX_OK;
    *L = (loader){.t = t,
                  .r = {seed * 0x2545f4914f6cdd1dULL + 1},
                  .start = start,
                  .end = end,
                  .count = count};
    L->first_day = day_of(start);
    L->ndays = day_of(end - 1e-3) - L->first_day + 1;
    L->day = L->first_day - 1;
    L->per_day = calloc((size_t)L->ndays, sizeof *L->per_day);
    double *w = calloc((size_t)L->ndays, sizeof *w);
    if (!L->per_day || !w) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    /* the day's share: weekday, month, a little noise, and the part of its
     * hours inside [start, end) */
    double sum = 0, hsum = 0;
    for (int h = 0; h < 24; h++)
        hsum += hour_weights[h];
    for (long i = 0; i < L->ndays; i++) {
        long d = L->first_day + i;
        double in = 0;
        for (int h = 0; h < 24; h++) {
            double a = day_start(d) + h * HOUR, b = a + HOUR;
            a = a > start ? a : start;
            b = b < end ? b : end;
            if (b > a)
                in += hour_weights[h] * (b - a) / HOUR;
        }
        w[i] = weekday_weights[weekday(d)] * month_weights[month_of(d)] *
               between(&L->r, 0.85, 1.15) * in / hsum;
        sum += w[i];
    }
    double cum = 0;
    long given = 0;
    for (long i = 0; i < L->ndays; i++) {
        cum += w[i];
        long upto = i == L->ndays - 1 ? count : (long)llround((double)count * cum / sum);
        L->per_day[i] = upto - given;
        given = upto;
    }
    for (int mo = 1; mo <= 12; mo++)
        for (size_t i = 0; i < N(tmpls); i++) {
            double tw = tmpls[i].weight;
            if (tmpls[i].months)
                tw *= (tmpls[i].months & M(mo)) ? 2.5 : 0.3;
            L->tmpl_cum[mo][i] = (i ? L->tmpl_cum[mo][i - 1] : 0) + tw;
        }
    double per_day = (double)count / (double)L->ndays;
    L->span = per_day * 20 > RING ? RING : per_day * 20 < 16 ? 16 : (long)(per_day * 20);
    L->keep = per_day * 20 > RING ? RING / (per_day * 20) : 1;

    while (L->done < count) {
        rc = rx_tickets_batch(t, load_batch, L);
        if (rc != RX_OK)
            goto done;
        if (progress)
            progress(ctx, L->done, count);
    }
done:
    free(w);
    free(L->per_day);
    free(L->times);
    free(L);
    return rc;
}
