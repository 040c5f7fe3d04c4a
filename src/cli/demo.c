/* Synthetic tickets (`rexian demo`): callers, their words, and the life of
 * each ticket through the workflow. A ticket's text is composed from the
 * phrase bank (demo_matters.c) with a seeded PRNG, and loaded through the
 * store's public API only. */
#include "demo.h"
#include "demo_matters.h"

#include "rexian/error.h"
#include "rexian/terms.h"
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
#define NOWHERE 128u  /* a phrase for matters with no place (社保, 公积金…) */

/* ---- where and who ---- */

/* clang-format off */

/* rural: how much likelier a village matter is here than the weight says */
static const struct {
    const char *name, *gov;
    double weight, rural;
    bool county;
    const char *streets[8];
} areas[] = {
    {"荷塘区", "荷塘区人民政府", 16, 0.4, false, {"月塘街道", "宋家桥街道", "桂花街道", "茨菇塘街道", "金山街道", "明照街道", "仙庾镇"}},
    {"芦淞区", "芦淞区人民政府", 17, 0.4, false, {"建设街道", "建宁街道", "贺家土街道", "庆云街道", "枫溪街道", "龙泉街道", "白关镇"}},
    {"石峰区", "石峰区人民政府", 12, 0.4, false, {"清水塘街道", "响石岭街道", "田心街道", "井墅路街道", "铜塘湾街道", "清霞街道"}},
    {"天元区", "天元区人民政府", 18, 0.6, false, {"嵩山路街道", "泰山路街道", "栗雨街道", "马家河街道", "群丰镇", "雷打石镇", "三门镇"}},
    {"云龙示范区", "云龙示范区管委会", 6, 0.6, false, {"学林街道", "龙头铺街道", "云田镇"}},
    {"渌口区", "渌口区人民政府", 7, 2.5, true, {"渌口镇", "南洲镇", "淦田镇", "龙船镇", "朱亭镇"}},
    {"醴陵市", "醴陵市人民政府", 12, 2.5, true, {"来龙门街道", "阳三石街道", "仙岳山街道", "浦口镇", "白兔潭镇", "东富镇"}},
    {"攸县", "攸县人民政府", 8, 2.5, true, {"联星街道", "江桥街道", "网岭镇", "皇图岭镇", "黄丰桥镇"}},
    {"茶陵县", "茶陵县人民政府", 6, 2.5, true, {"云阳街道", "思聪街道", "洣江街道", "严塘镇", "虎踞镇"}},
    {"炎陵县", "炎陵县人民政府", 4, 2.5, true, {"霞阳镇", "沔渡镇", "十都镇", "水口镇"}},
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

/* ---- what a call-taker writes around the matter ---- */

#define X DEMO_X
#define S DEMO_S
#define V DEMO_V
#define PLACED (DEMO_X | DEMO_S | DEMO_V)

/* How the record opens: the call-taker's words, the caller's, or nothing. */
static const char *const framings[] = {
    "来电人反映：", "来电人反映，", "市民来电反映：", "市民来电称，", "{caller}来电反映：", "{caller}来电称，",
    "来电人{caller}反映，", "市民{caller}来电：", "你好，", "你好，我要反映个问题，", "我想投诉一下，",
    "我要反映一个情况，", "喂，你好，", "麻烦你们管一下，", "反映：", "来电人称，"};
static const char *const question_framings[] = {
    "来电人咨询：", "市民来电咨询，", "{caller}来电咨询：", "你好，我想问一下，", "想咨询一下，", "麻烦问一下，",
    "请问一下，", "来电人询问：", "咨询：", "{caller}来电询问，"};
static const char *const web_framings[] = {"网友留言：", "网友反映：", "市民通过网络留言反映：", "留言："};

/* Where it is, when the matter's words do not say. */
static const demo_phrase places[] = {
    {X, "我住在{xq}，"}, {X, "家住{xq}{b}栋，"}, {X, "我是{xq}的业主，"}, {X, "{xq}这边，"}, {X, "我们{xq}，"},
    {S, "{road}这里，"}, {S, "在{road}附近，"}, {S, "我在{road}开店，"}, {S, "{road}{area}段，"},
    {V, "我是{street}{vill}村的，"}, {V, "我们{vill}村，"}, {V, "{vill}村这边，"}, {V, "{street}{vill}村，"},
    {NOWHERE, "我是{area}的，"}};

/* How long, who they asked, how they feel, what it costs them: one of a
 * kind at most, so that two durations never meet. */
static const demo_phrase how_long[] = {
    {0, "已经{day}天了"}, {0, "快一个月了"}, {0, "这个情况持续{n}个星期了"}, {0, "从上个月开始就这样"},
    {0, "这两天特别严重"}, {PLACED, "前天开始的"}, {0, "好长时间了"}, {PLACED, "昨天晚上又这样了"},
    {0, "有半年多了"}, {PLACED, "今天早上发现的"}};
static const demo_phrase asked[] = {
    {X, "跟物业说了好几遍，物业不管"}, {X, "找过社区，社区让打12345"}, {X, "物业说要等上面批"},
    {0, "打过{lead}的电话，一直没人接"}, {0, "之前跟{wrong}反映过，说不归他们管"},
    {V, "跟村干部说了，村里说没钱"}, {V, "找过镇上，让我们等"}, {0, "网上留过言，没人回"},
    {0, "自己也想办法了，解决不了"}, {PLACED, "找过{street}，说会派人来看，一直没来"}};
static const demo_phrase feelings[] = {
    {0, "真的很着急"}, {0, "实在没办法了"}, {0, "家里人都很焦虑"}, {0, "说了也没人理，很气人"},
    {0, "我们也不想麻烦政府，实在是没办法"}, {0, "心里一直不踏实"}, {0, "越想越气"}};
static const demo_phrase costs[] = {
    {X, "家里老人小孩都受影响"}, {X, "邻居们意见都很大"}, {S, "过路的人很危险"},
    {S, "附近的商户生意都受影响"}, {S, "晚上走路的人看不清"}, {V, "村里老人出行很不方便"},
    {V, "耽误了农活"}, {NOWHERE, "耽误了上班"}, {0, "影响正常生活"}, {NOWHERE, "请了好几次假"}};
static const struct {
    const demo_phrase *p;
    size_t n;
} details[] = {{how_long, N(how_long)}, {asked, N(asked)}, {feelings, N(feelings)}, {costs, N(costs)}};
static const demo_phrase question_details[] = {
    {0, "网上查了半天也没查到"}, {0, "打窗口电话一直没人接"}, {0, "之前问过一次，说法不一样"},
    {0, "跑了{n}趟都没搞清楚"}, {0, "家里老人不会用手机"}, {0, "急着要用"}, {0, "下个星期就要办"},
    {0, "不想白跑一趟"}};

/* What a dispatcher reads as a 会商 or 领导交办 case. */
enum { CROSS, CROWD, REPEATED, LEGACY, NSIGNALS };
static const demo_phrase cross_signals[] = {
    {0, "找了{codept}，说归{lead}管，{lead}又说归{codept}管，几个部门互相踢皮球"},
    {0, "这个事{codept}和{lead}都有责任，谁也不牵头"}, {0, "{lead}说要{codept}配合才能处理，等了好久没下文"},
    {0, "涉及好几个部门，希望能一起协调解决"}, {0, "几个单位来看过，都说不是自己的事"},
    {X, "物业、社区、{codept}都找过了，一个推一个"}, {V, "村里说找镇上，镇上说找{codept}"},
    {S, "{codept}说这段路不归他们管"}};
static const demo_phrase crowd_signals[] = {
    {X, "我们整栋楼几十户都是这样"}, {X, "小区{nn}户业主都受影响"}, {X, "上百名业主联名反映过"},
    {X, "整个小区一千多户人都受影响"}, {S, "这条路每天几千人走"}, {S, "周边几个小区上千户居民都受影响"},
    {S, "附近{nn}家商户都受影响"}, {V, "全村{nn}户人都受影响"}, {V, "全组几十户村民都是这样"},
    {V, "村里三百多口人都指望这个"}, {NOWHERE, "不是我一个人的问题，身边好多人都遇到了"},
    {NOWHERE, "我们{nn}个人一起反映"}, {0, "有几十个人联名写了信"}, {0, "大家都签了名"}};
static const demo_phrase repeated_signals[] = {
    {0, "反映多次了"}, {0, "打了好几次12345都没解决"}, {0, "去年就反映过"}, {0, "前后打了{n}次电话"},
    {0, "每次都说在处理，结果还是老样子"}, {0, "上次回复说解决了，其实根本没人来"}, {0, "找了一年多了"}};
static const demo_phrase legacy_signals[] = {
    {0, "这是历史遗留问题，拖了十几年"}, {0, "多年来一直没解决"}, {0, "从{year}年到现在都没解决"},
    {0, "前前后后拖了好几年"}, {0, "一拖就是好几年，谁都说会解决"}, {X, "开发商早就跑路了"},
    {X, "开发商都找不到人了"}, {V, "老支书在的时候就说要解决"}};
static const struct {
    const demo_phrase *p;
    size_t n;
} signals[NSIGNALS] = {[CROSS] = {cross_signals, N(cross_signals)},
                       [CROWD] = {crowd_signals, N(crowd_signals)},
                       [REPEATED] = {repeated_signals, N(repeated_signals)},
                       [LEGACY] = {legacy_signals, N(legacy_signals)}};
/* a hint of one, in a case the call-taker still sends straight on */
static const char *const weak_signals[] = {"隔壁也有这种情况", "之前打过一次电话", "邻居也说有这个问题",
                                           "上个月也出现过一次", "听说别人也反映过"};

static const char *const requests[] = {
    "希望尽快处理", "请相关部门尽快处理", "要求给个说法", "请相关部门核实处理", "麻烦派人来看一下",
    "希望有关部门重视", "请尽快安排人员处理", "希望能彻底解决", "请给个答复", "希望政府管一管",
    "希望早点解决，谢谢", "请{lead}来看看", "要求尽快处理并回复", "希望不要再推来推去"};
static const char *const question_requests[] = {"请告知办理流程", "麻烦告知一下", "想咨询清楚",
                                                "请给个准确答复", "希望有人回个电话", "需要准备哪些材料",
                                                "谢谢"};

#undef X
#undef S
#undef V

/* clang-format on */

/* ---- how departments and the hotline handle it ---- */

static const char *const levels[] = {NULL, "immediate", "consult", "leader"};
static const char *const supervisors[] = {"supervisor1", "supervisor2", "supervisor3"};
static const char *const consult_approvers[] = {"市政府办副主任", "市政府办分管负责人"};
static const char *const leader_approvers[] = {"市政府副市长", "市政府副秘书长", "市政府秘书长"};
/* 退单 by a department the ticket does not belong to ({alt}: where it does) */
static const char *const return_reasons[] = {
    "经核实，该事项不属于我单位职责范围，建议转{alt}办理。",
    "经核实该事项不属于我单位职责，建议转{alt}办理。",
    "该诉求反映的是{cat}问题，依职责应由{alt}承办，请改派。",
    "经现场核查，问题点位不在我单位管辖范围内，建议改派{alt}。",
    "根据部门职责分工，该事项由{alt}负责，特此退回。",
    "非我单位产权或管理范围，请转{alt}处理。"};
static const char *const local_return_reasons[] = {
    "该问题属于{area}属地管理事项，已与属地对接，请改派{alt}。",
    "经核实，该事项属乡镇（街道）职责，建议转{alt}办理。"};
/* 退单 by the right department, sent back to it once the record is fixed */
static const char *const unclear_reasons[] = {
    "诉求地址不清，无法现场核实，请补充具体位置后重新派单。",
    "来电人电话无法接通，诉求内容不详，请核实后重新派单。"};
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
    int matter, area, street, addr, xq, road, village, school, company, shop, hospital, bus;
    int n, nn, day, money, wage, year, building, unit, number, surname, honorific;
    char phone[20];
    const char *alt;    /* where a 退单 says the ticket belongs */
    const char *codept; /* the other department a 会商 case names */
} matter;

typedef struct {
    rx_tickets *t;
    rng r;
    rng lr; /* the call-takers' searches: their own stream */
    const demo_search *search;
    double start, end;
    long count, done;
    long first_day, ndays, day; /* the day being filled */
    long *per_day;
    double *times;
    long ntimes, next;
    double *matter_cum[13]; /* per month */
    double area_cum[N(areas)], village_cum[N(areas)];
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
    int level;        /* what the text calls for: immediate, consult or leader */
    unsigned signals; /* bit per signal kind the text carries */
    bool weak;        /* one hint of a signal in an immediate case */
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

/* The department d of the bank names for m: DEMO_LOCAL is the area's
 * government. */
static const char *resolve(const char *d, const matter *m)
{
    return d && !strcmp(d, DEMO_LOCAL) ? areas[m->area].gov : d;
}

static const char *dept_of(const matter *m)
{
    return resolve(demo_matters[m->matter].dept, m);
}

/* How a caller names department d: 住建局, 自来水公司, the street office… */
static const char *spoken(const char *d, const matter *m)
{
    if (!d)
        return "相关部门";
    if (!strcmp(d, DEMO_LOCAL) || !strcmp(d, areas[m->area].gov))
        return areas[m->area].streets[m->street];
    for (size_t i = 0; i < demo_ndepartments; i++)
        if (!strcmp(demo_departments[i].name, d))
            return demo_departments[i].spoken;
    return d;
}

/* The other department a caller names: the one a 会商 case names, the
 * wrong first one, or a co-handler of the category; NULL if none. */
static const char *other_of(const matter *m)
{
    const demo_matter *dm = &demo_matters[m->matter];
    const char *const cand[] = {m->codept, dm->wrong, demo_categories[dm->cat].co[0],
                                demo_categories[dm->cat].co[1]};
    for (size_t i = 0; i < N(cand); i++)
        if (cand[i] && strcmp(resolve(cand[i], m), dept_of(m)) != 0)
            return cand[i];
    return NULL;
}

/* Appends text to out[0..*len) with its {slot}s expanded with m's values;
 * {date} is the day before when. */
static void expand(char *out, size_t cap, size_t *len, const char *text, const matter *m,
                   double when)
{
    /* clang-format off */
    enum { XQ, B, ROAD, VILL, STREET, AREA, ALT, CAT, SCHOOL, CO, SHOP, HOSPITAL, DATE, LEAD,
           WRONG, CODEPT, CALLER, BUS, NUM, NN, DAYS, MONEY, WAGE, YEAR };
    static const char *const names[] = {
        [XQ] = "xq", [B] = "b", [ROAD] = "road", [VILL] = "vill", [STREET] = "street",
        [AREA] = "area", [ALT] = "alt", [CAT] = "cat", [SCHOOL] = "school", [CO] = "co",
        [SHOP] = "shop", [HOSPITAL] = "hospital", [DATE] = "date", [LEAD] = "lead",
        [WRONG] = "wrong", [CODEPT] = "codept", [CALLER] = "caller", [BUS] = "bus", [NUM] = "n",
        [NN] = "nn", [DAYS] = "day", [MONEY] = "money", [WAGE] = "wage", [YEAR] = "year"};
    /* clang-format on */
    for (const char *p = text; *p;) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (!e) {
            size_t n = strcspn(p + 1, "{") + 1;
            put(out, cap, len, p, n);
            p += n;
            continue;
        }
        size_t k = 0, n = (size_t)(e - p - 1);
        while (k < N(names) && (n != strlen(names[k]) || memcmp(p + 1, names[k], n)))
            k++;
        char v[128], d[11];
        const char *s = v;
        int num = -1;
        switch (k) {
        case XQ: s = xqs[m->xq]; break;
        case B: num = m->building; break;
        case ROAD: s = roads[m->road]; break;
        case VILL: s = villages[m->village]; break;
        case STREET: s = areas[m->area].streets[m->street]; break;
        case AREA: s = areas[m->area].name; break;
        case ALT: s = m->alt ? m->alt : ""; break;
        case CAT: s = demo_categories[demo_matters[m->matter].cat].name; break;
        case SCHOOL: s = schools[m->school]; break;
        case CO: s = companies[m->company]; break;
        case SHOP: s = shops[m->shop]; break;
        case HOSPITAL: s = hospitals[m->hospital]; break;
        case DATE:
            rx_date_format(d, day_of(when) - 1);
            snprintf(v, sizeof v, "%d月%d日", atoi(d + 5), atoi(d + 8));
            break;
        case LEAD: s = spoken(demo_matters[m->matter].dept, m); break;
        case WRONG:
        case CODEPT: s = spoken(other_of(m), m); break;
        case CALLER:
            snprintf(v, sizeof v, "%s%s", surnames[m->surname], honorifics[m->honorific]);
            break;
        case BUS: num = m->bus; break;
        case NUM: num = m->n; break;
        case NN: num = m->nn; break;
        case DAYS: num = m->day; break;
        case MONEY: num = m->money; break;
        case WAGE: num = m->wage; break;
        case YEAR: num = m->year; break;
        default: v[0] = 0; /* an unknown slot says nothing */
        }
        if (num >= 0)
            snprintf(v, sizeof v, "%d", num);
        put(out, cap, len, s, strlen(s));
        p = e + 1;
    }
}

static int pick_cum(rng *r, const double *cum, size_t n)
{
    double x = unif(r) * cum[n - 1];
    size_t i = 0;
    while (i < n - 1 && cum[i] <= x)
        i++;
    return (int)i;
}

/* Policies of the shipped corpus that changed what people call about: from
 * the day a rule took effect, a share of the calls about its matters (the
 * first words of their first saying) no longer come. */
static const struct {
    const char *doc, *says, *effective;
    double stay; /* the share of such calls that still come */
} policies[] = {
    /* 夏季夜市秩序和露天烧烤专项整治 */
    {"cgj-2026-111", "{xq}附近的烧烤店", "2026-05-15", 0.6},
};

static bool policy_spares(loader *L, int mi, long day)
{
    for (size_t k = 0; k < N(policies); k++)
        if (!strncmp(demo_matters[mi].say[0], policies[k].says, strlen(policies[k].says)) &&
            day >= rx_date_parse(policies[k].effective, 10) && !chance(&L->r, policies[k].stay))
            return true;
    return false;
}

static void new_matter(loader *L, matter *m, int month, long day)
{
    rng *r = &L->r;
    *m = (matter){.matter = pick_cum(r, L->matter_cum[month], demo_nmatters)};
    while (policy_spares(L, m->matter, day))
        m->matter = pick_cum(r, L->matter_cum[month], demo_nmatters);
    unsigned where = demo_matters[m->matter].flags & DEMO_WHERE;
    m->area = pick_cum(r, where == DEMO_V ? L->village_cum : L->area_cum, N(areas));
    int ns = 0, towns[8], nt = 0;
    for (; ns < 8 && areas[m->area].streets[ns]; ns++)
        if (strstr(areas[m->area].streets[ns], "镇"))
            towns[nt++] = ns;
    m->street = pick(r, (size_t)ns);
    if (where == DEMO_X)
        m->addr = 0; /* where the matter is: a building, a road, a village */
    else if (where == DEMO_S)
        m->addr = 1;
    else if (where == DEMO_V || (areas[m->area].county && chance(r, 0.35)))
        m->addr = 2;
    else
        m->addr = chance(r, 0.6) ? 0 : 1;
    if (m->addr == 2 && nt > 0 && chance(r, 0.85)) /* villages are mostly in towns */
        m->street = towns[pick(r, (size_t)nt)];
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
    m->year = 2008 + pick(r, 14);
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

/* ---- the caller's words ---- */

/* The DEMO_X/S/V bit of m's place, or NOWHERE for a matter with none. */
static unsigned place_of(const matter *m)
{
    if (!(demo_matters[m->matter].flags & DEMO_WHERE))
        return NOWHERE;
    return m->addr == 0 ? DEMO_X : m->addr == 1 ? DEMO_S : DEMO_V;
}

/* One of the n phrases that fit place (rejection sampling: most fit). */
static const char *pick_phrase(rng *r, const demo_phrase *p, size_t n, unsigned place)
{
    for (int k = 0; k < 64; k++) {
        const demo_phrase *c = &p[pick(r, n)];
        if (!c->where || (c->where & place))
            return c->text;
    }
    return p[0].text;
}

static bool ends_in_punct(const char *s, size_t len)
{
    static const char *const marks[] = {"，", "。", "：", "？", "！"};
    for (size_t i = 0; i < N(marks); i++) {
        size_t n = strlen(marks[i]);
        if (len >= n && !memcmp(s + len - n, marks[i], n))
            return true;
    }
    return false;
}

/* Decides what w's text calls for: most are sent straight on (immediate);
 * a matter's share of consult cases carries signals a dispatcher reads
 * (several departments, many people, asked before, years old), and the
 * bigger of them go to a leader. Channel 4 is 市长接待日. */
static void weigh_case(loader *L, walk *w, int ch, bool repeat)
{
    rng *r = &L->r;
    const demo_matter *dm = &demo_matters[w->m.matter];
    double p = dm->esc / 100.0;
    if (repeat && p < 0.3)
        p = 0.3; /* the caller says it is the second time */
    w->signals = 0;
    w->weak = false;
    w->m.codept = NULL;
    if (ch != 4 && !chance(r, p)) {
        w->level = RX_LEVEL_IMMEDIATE;
        w->weak = !repeat && !(dm->flags & DEMO_Q) && chance(r, 0.04);
        return;
    }
    const char *lead = dept_of(&w->m), *cand[4];
    size_t nc = 0;
    const char *const co[] = {dm->wrong, demo_categories[dm->cat].co[0],
                              demo_categories[dm->cat].co[1], DEMO_LOCAL};
    for (size_t i = 0; i < N(co); i++)
        if (co[i] && strcmp(resolve(co[i], &w->m), lead) != 0)
            cand[nc++] = co[i];
    double weights[NSIGNALS] = {[CROSS] = nc ? 1.2 : 0,
                                [CROWD] = 1,
                                [REPEATED] = repeat ? 0.2 : 0.9,
                                [LEGACY] = dm->flags & DEMO_L ? 1.3 : 0};
    int k = 1 + chance(r, 0.45) + chance(r, 0.15);
    for (int i = 0; i < k; i++) {
        int s = pick_weighted(r, weights, NSIGNALS);
        w->signals |= 1u << s;
        weights[s] = 0;
    }
    if (w->signals & (1u << CROSS))
        w->m.codept = cand[pick(r, nc)];
    bool big = (w->signals & (1u << CROWD)) || (w->signals & (1u << LEGACY));
    w->level =
        ch == 4 || ((dm->flags & DEMO_B) && chance(r, 0.4)) || (k >= 2 && big && chance(r, 0.15))
            ? RX_LEVEL_LEADER
            : RX_LEVEL_CONSULT;
}

/* Composes w's text: an opening, where, the matter in one of its wordings,
 * some details and the case's signals in any order, and a request; each
 * part may be left out. */
static void compose(char *out, size_t cap, loader *L, walk *w, int ch, bool repeat, double when)
{
    rng *r = &L->r;
    const matter *m = &w->m;
    const demo_matter *dm = &demo_matters[m->matter];
    bool question = dm->flags & DEMO_Q;
    unsigned place = place_of(m);
    int nsay = 0;
    while (nsay < 6 && dm->say[nsay])
        nsay++;
    const char *say = dm->say[pick(r, (size_t)nsay)];

    const char *head[3], *mid[8];
    int nh = 0, nm = 0;
    if (ch == 4)
        head[nh++] = "市长接待日来访群众反映：";
    else if (ch == 3 && chance(r, 0.6))
        head[nh++] = "知株侠网友反映：";
    else if ((ch == 1 || ch == 2) && chance(r, 0.5))
        head[nh++] = web_framings[pick(r, N(web_framings))];
    else if (chance(r, 0.55))
        head[nh++] = question ? question_framings[pick(r, N(question_framings))]
                              : framings[pick(r, N(framings))];
    if (repeat)
        head[nh++] = again[pick(r, N(again))];
    bool placed = strstr(say, "{xq}") || strstr(say, "{road}") || strstr(say, "{vill}");
    if (!placed && chance(r, place == NOWHERE ? 0.1 : 0.45))
        head[nh++] = pick_phrase(r, places, N(places), place);

    static const double how_many[] = {35, 40, 21, 4};
    int kinds[N(details)] = {0};
    for (size_t i = 0; i < N(details); i++) { /* the kinds in a random order */
        int j = pick(r, i + 1);
        kinds[i] = kinds[j];
        kinds[j] = (int)i;
    }
    if (question && chance(r, 0.35))
        mid[nm++] = pick_phrase(r, question_details, N(question_details), place);
    for (int i = question ? 0 : pick_weighted(r, how_many, N(how_many)); i > 0; i--)
        mid[nm++] = pick_phrase(r, details[kinds[i - 1]].p, details[kinds[i - 1]].n, place);
    for (int s = 0; s < NSIGNALS; s++)
        if (w->signals & (1u << s))
            mid[nm++] = pick_phrase(r, signals[s].p, signals[s].n, place);
    if (w->weak)
        mid[nm++] = weak_signals[pick(r, N(weak_signals))];
    for (int i = nm - 1; i > 0; i--) { /* any order */
        int j = pick(r, (size_t)i + 1);
        const char *x = mid[i];
        mid[i] = mid[j];
        mid[j] = x;
    }
    const char *ask = !chance(r, question ? 0.45 : 0.5) ? NULL
                      : question ? question_requests[pick(r, N(question_requests))]
                                 : requests[pick(r, N(requests))];

    const char *parts[16];
    int np = 0;
    for (int i = 0; i < nh; i++)
        parts[np++] = head[i];
    parts[np++] = say;
    for (int i = 0; i < nm; i++)
        parts[np++] = mid[i];
    if (ask)
        parts[np++] = ask;
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < np; i++) {
        if (len && !ends_in_punct(out, len))
            put(out, cap, &len, chance(r, 0.6) ? "，" : "。", strlen("，"));
        expand(out, cap, &len, parts[i], m, when);
    }
    if (!ends_in_punct(out, len))
        put(out, cap, &len, !question && chance(r, 0.06) ? "！" : "。", strlen("。"));
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
    const demo_matter *dm = &demo_matters[w->m.matter];
    const char *cand[4] = {NULL, NULL, NULL, NULL};
    int nc = 0;
    /* co-handlers: the one the text names, the category's, then the area's */
    const char *const co[] = {w->m.codept, demo_categories[dm->cat].co[0],
                              demo_categories[dm->cat].co[1], DEMO_LOCAL};
    for (size_t i = 0; i < N(co); i++) {
        const char *c = resolve(co[i], &w->m);
        bool dup = !c || !strcmp(c, lead);
        for (int j = 0; j < nc && !dup; j++)
            dup = !strcmp(c, cand[j]);
        if (!dup)
            cand[nc++] = c;
    }
    if (nc == 0)
        cand[nc++] = "市12345热线服务中心";
    int want = level == RX_LEVEL_CONSULT  ? 1 + chance(r, 0.4)
               : level == RX_LEVEL_LEADER ? pick(r, 3)
                                          : 0;
    cJSON *b = with(with(action("dispatch"), "level", levels[level]), "lead", lead);
    cJSON *arr = b ? cJSON_AddArrayToObject(b, "co") : NULL;
    for (int i = 0; arr && i < want && i < nc; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(cand[i]));
    if (level == RX_LEVEL_CONSULT)
        b = with(b, "approved_by", consult_approvers[pick(r, N(consult_approvers))]);
    if (level == RX_LEVEL_LEADER)
        b = with(b, "approved_by", leader_approvers[pick(r, N(leader_approvers))]);
    if (b && (dm->flags & DEMO_U))
        cJSON_AddNumberToObject(b, "deadline_days", 1 + pick(r, 2));
    else if (b && chance(r, 0.1))
        cJSON_AddNumberToObject(b, "deadline_days", days[pick(r, N(days))]);
    w->lead = lead;
    /* consult and leader dispatches are a supervisor's (they need approval) */
    bool agent = level == RX_LEVEL_IMMEDIATE;
    return act(L, w, within_hours(r, w->now + between(r, 300, 5400), 7, 22, 1),
               agent ? agent_for(L, w) : supervisors[(size_t)w->m.matter % N(supervisors)],
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

/* 退单 before the right department gets the ticket: first sent where the
 * words point (the matter's wrong department), now and then to a
 * co-handler by a slip, or back from the right one for a better record. */
static int misroute(loader *L, walk *w, int level, const char *lead)
{
    rng *r = &L->r;
    const demo_matter *dm = &demo_matters[w->m.matter];
    const char *first = NULL, *reason;
    if (dm->wrong && chance(r, dm->wrong_pct / 100.0))
        first = resolve(dm->wrong, &w->m);
    else if (chance(r, 0.02))
        first = resolve(demo_categories[dm->cat].co[pick(r, 2)], &w->m);
    if (first && strcmp(first, lead) != 0) {
        bool local = !strcmp(lead, areas[w->m.area].gov) && chance(r, 0.5);
        reason = local ? local_return_reasons[pick(r, N(local_return_reasons))]
                       : return_reasons[pick(r, N(return_reasons))];
    } else if (chance(r, 0.012)) {
        first = lead;
        reason = unclear_reasons[pick(r, N(unclear_reasons))];
    } else {
        return RX_OK;
    }
    STEP(dispatch(L, w, level, first));
    char text[512];
    size_t len = 0;
    w->m.alt = lead;
    expand(text, sizeof text, &len, reason, &w->m, w->now);
    return act(L, w, within_hours(r, w->now + between(r, HOUR, 20 * HOUR), 8.5, 17.5, 0.05),
               w->lead, "department", with(action("return"), "reason", text));
}

/* From received or reopened to closed: dispatch (with 退单), accept,
 * reply (on time mostly), review (with 驳回重办). */
static int handle(loader *L, walk *w, int level)
{
    rng *r = &L->r;
    const demo_matter *dm = &demo_matters[w->m.matter];
    char text[2048];
    const char *lead = dept_of(&w->m);
    if (w->round > 1 && w->lead)
        lead = w->lead;
    else
        STEP(misroute(L, w, level, lead));
    STEP(dispatch(L, w, level, lead));
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
        if (level == RX_LEVEL_LEADER && chance(r, dm->flags & DEMO_B ? 0.5 : 0.3))
            kinds[nk++] = RX_SUP_LEADER;
        for (int i = 0; i < nk; i++) {
            double at = kinds[i] == RX_SUP_HOTLINE ? due + between(r, 0, 0.4) * (reply - due)
                                                   : w->now + (reply - w->now) * (i + 1) / (nk + 1);
            STEP(supervise(L, w, within_hours(r, at, 8.5, 17.5, 0.2), kinds[i]));
        }
        int nreply = 0;
        while (nreply < 3 && dm->reply[nreply])
            nreply++;
        size_t len = 0;
        expand(text, sizeof text, &len, dm->reply[pick(r, (size_t)nreply)], &w->m, reply);
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
        /* the second round goes as the text calls for; a third may go up */
        int level = w->round < 3 ? w->level : chance(r, 0.3) ? RX_LEVEL_LEADER : RX_LEVEL_CONSULT;
        STEP(handle(L, w, level));
        first_contact = false;
        unreachable = 0;
    }
}

/* The call-taker's query for m: two or three of the matter's words (not
 * the place's), typed as one string, or the words after them on a second
 * try. */
static void query_for(char *out, size_t cap, loader *L, const matter *m, int skip)
{
    rng *r = &L->lr;
    const demo_matter *dm = &demo_matters[m->matter];
    int nsay = 0;
    while (nsay < 6 && dm->say[nsay])
        nsay++;
    char text[1024], addr[256];
    size_t len = 0;
    expand(text, sizeof text, &len, dm->say[pick(r, (size_t)nsay)], m, 0);
    address(addr, sizeof addr, m);
    rx_term_list l = {0};
    out[0] = '\0';
    if (rx_terms_extract(&l, NULL, text, len) != RX_OK) {
        rx_term_list_clear(&l);
        return;
    }
    int want = 2 + chance(r, 0.4), got = 0;
    size_t olen = 0;
    bool spaced = chance(r, 0.2);
    for (size_t k = 0; k < l.n && got < want; k++) {
        const char *term = l.v[k].term;
        if (strstr(addr, term) || strstr(xqs[m->xq], term) || strstr(roads[m->road], term) ||
            strstr(schools[m->school], term))
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        int n = snprintf(out + olen, cap - olen, "%s%s", got && spaced ? " " : "", term);
        if (n < 0 || (size_t)n >= cap - olen)
            break;
        olen += (size_t)n;
        got++;
    }
    rx_term_list_clear(&l);
}

/* The searches made for ticket w while the caller is on the line, and the
 * document opened, if any (*opened, for a 一次办结). */
static int lookups(loader *L, walk *w, double created, bool question, char opened[64])
{
    rng *r = &L->lr;
    opened[0] = '\0';
    double at = created + between(r, 15, 90);
    for (int attempt = 0; attempt < 2; attempt++) {
        char q[256], top[3][64];
        query_for(q, sizeof q, L, &w->m, attempt ? 1 + pick(r, 2) : 0);
        if (!q[0])
            return RX_OK;
        double total = 0;
        int ntop = 0;
        bool confident = false;
        if (L->search->fn(L->search->ctx, q, &total, top, &ntop, &confident) != RX_OK)
            return RX_OK;
        cJSON *arr = cJSON_CreateArray();
        for (int k = 0; arr && k < ntop; k++)
            cJSON_AddItemToArray(arr, cJSON_CreateString(top[k]));
        rx_actor who = {.name = w->agent, .role = "agent", .now = at};
        rx_lookup l = {.query = q, .total = total, .top = arr, .confident = confident};
        int rc = arr ? rx_tickets_record_lookup(L->t, w->id, &who, &l) : RX_ENOMEM;
        cJSON_Delete(arr);
        if (rc != RX_OK)
            return rc;
        at += between(r, 5, 40);
        if (ntop > 0 && chance(r, confident ? (question ? 0.8 : 0.5) : 0.2)) {
            cJSON *one = cJSON_CreateArray();
            cJSON_AddItemToArray(one, cJSON_CreateString(top[0]));
            who.now = at;
            rx_lookup o = {.open = true, .total = 1, .top = one, .confident = -1};
            rc = rx_tickets_record_lookup(L->t, w->id, &who, &o);
            cJSON_Delete(one);
            if (rc != RX_OK)
                return rc;
            snprintf(opened, 64, "%s", top[0]);
            return RX_OK;
        }
        if (confident || !chance(r, 0.5))
            return RX_OK;
        at += between(r, 10, 40);
    }
    return RX_OK;
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
        new_matter(L, &w->m, month, day_of(created));
        if (chance(r, L->keep))
            L->ring[L->nring++ % L->span] = w->m;
    }
    const matter *m = &w->m;
    const demo_matter *dm = &demo_matters[m->matter];
    int ch = pick_weighted(r, channel_weights, N(channels));
    bool fc = ch < 3 && !(dm->flags & DEMO_U) && chance(r, (dm->flags & DEMO_Q) ? 0.85 : 0.33);
    if (fc) {
        w->level = RX_LEVEL_IMMEDIATE;
        w->weak = !repeat && !(dm->flags & DEMO_Q) && chance(r, 0.05);
    } else {
        weigh_case(L, w, ch, repeat);
    }
    char content[4096], addr[256], caller[64];
    compose(content, sizeof content, L, w, ch, repeat, created);
    address(addr, sizeof addr, m);
    snprintf(caller, sizeof caller, "%s%s", surnames[m->surname], honorifics[m->honorific]);

    cJSON *body = with(with(cJSON_CreateObject(), "channel", channels[ch]), "content", content);
    if (!chance(r, 0.05))
        body = with(body, "caller", ch == 3 ? "知株侠网友" : caller);
    if (ch != 3 && !chance(r, 0.03))
        body = with(body, "phone", m->phone);
    if (!(dm->flags & DEMO_Q) || chance(r, 0.5))
        body = with(body, "address", addr);
    body = with(body, "category", demo_categories[dm->cat].name);
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

    /* the call-taker searches during a call: most questions, some complaints */
    char opened[64] = "";
    if (L->search && ch == 0 && chance(&L->lr, (dm->flags & DEMO_Q) ? 0.85 : 0.35))
        STEP(lookups(L, w, created, (dm->flags & DEMO_Q) != 0, opened));
    if (fc) {
        cJSON *b = action("resolve_first_contact");
        cJSON *docs = b ? cJSON_AddArrayToObject(b, "doc_ids") : NULL;
        if (b && !docs)
            cJSON_Delete(b), b = NULL;
        if (docs && opened[0])
            cJSON_AddItemToArray(docs, cJSON_CreateString(opened));
        STEP(act(L, w, created + between(r, 120, 900), w->agent, "agent", b));
    } else {
        STEP(handle(L, w, w->level));
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
                    const demo_search *search, void (*progress)(void *ctx, long done, long total),
                    void *ctx)
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
                  .lr = {seed * 0x9e3779b97f4a7c15ULL + 7},
                  .search = search && search->fn ? search : NULL,
                  .start = start,
                  .end = end,
                  .count = count};
    L->first_day = day_of(start);
    L->ndays = day_of(end - 1e-3) - L->first_day + 1;
    L->day = L->first_day - 1;
    L->per_day = calloc((size_t)L->ndays, sizeof *L->per_day);
    double *w = calloc((size_t)L->ndays, sizeof *w);
    double *mcum = malloc(12 * demo_nmatters * sizeof *mcum);
    if (!L->per_day || !w || !mcum) {
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
    for (int mo = 1; mo <= 12; mo++) {
        double *c = L->matter_cum[mo] = mcum + (size_t)(mo - 1) * demo_nmatters;
        for (size_t i = 0; i < demo_nmatters; i++) {
            double mw = demo_matters[i].weight;
            if (demo_matters[i].months)
                mw *= (demo_matters[i].months & (1u << mo)) ? 2.5 : 0.3;
            c[i] = (i ? c[i - 1] : 0) + mw;
        }
    }
    for (size_t i = 0; i < N(areas); i++) {
        L->area_cum[i] = (i ? L->area_cum[i - 1] : 0) + areas[i].weight;
        L->village_cum[i] = (i ? L->village_cum[i - 1] : 0) + areas[i].weight * areas[i].rural;
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
    free(mcum);
    free(L->per_day);
    free(L->times);
    free(L);
    return rc;
}
