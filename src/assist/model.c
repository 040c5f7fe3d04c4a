/* The assist model: a naive Bayes classifier over a ticket's character
 * bigrams and synonym concepts (plus a few address and situation
 * features), trained from duties.txt and the dispatch loop's events, with
 * a second naive Bayes per department over what it returned (退单), and
 * the level classifier beside it. Learned terms (resolution → documents)
 * are in learned.c. docs/ASSIST.md has the measurements behind the
 * choices. */
#include "model.h"

#include "rexian/error.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chosen on tests/assist/dev.tsv with a 20,000-ticket demo year
 * (docs/ASSIST.md); the held-out set was not used to choose them. */
#define ALPHA                                                                                      \
    1.0                 /* smoothing of P(feature | department): large, since a ticket shares few  \
                           bigrams with any department's history */
#define KEPT_WEIGHT 1   /* an accepted dispatch */
#define DONE_WEIGHT 1   /* an approved reply (办结) */
#define PRIOR_POWER 0.5 /* the department prior, flattened: busy departments win less on size */
/* the log-likelihood of n features is divided by √(n / NB_TEMPER) (8 until
 * session 24, when the function words left the features: 4 on the four
 * development sets) */
#define NB_TEMPER 4
#define RETURN_BETA 20 /* backoff of the returned-tickets model to the kept one */
#define DUTY_TEMP 0.3  /* softmax of the best duty line's idf sum */
/* how the three kinds of evidence are mixed */
#define W_NB 0.4          /* the classifier over past tickets and duties */
#define W_CLASSIFIERS 0.6 /* naive Bayes and the linear classifier together, once it is fitted */
#define W_LINEAR 0.5      /* the linear classifier's share of the two */
#define W_DUTY 0.6        /* the best-matching duty line */
#define W_KNN 0.3         /* the leads of the most similar past tickets */
#define W_HITS 0.4 /* the departments of the search's hits (docs/ASSIST.md: 0.2 → 0.3 → 0.4) */
#define W_UNMANAGED 1.0   /* the 属地 class, added when the text says there is no 物业 */
#define W_VILLAGE 0.2     /* the 属地 class, added when the address is in a village or township */
#define W_TURNED_AWAY 0.3 /* kept of a department the text says turned the matter away */
#define HITS_SHARP 10     /* a hit's weight: exp(HITS_SHARP × (its score / the first's − 1)) */

/* ---- features ---- */

static int feature_id(rx_assist *a, const char *term, size_t len, bool add)
{
    int added = 0;
    rx_strmap_entry *e =
        add ? rx_strmap_upsert(&a->fmap, term, len, &added) : rx_strmap_get(&a->fmap, term, len);
    if (!e)
        return -1;
    if (added) {
        if (a->nf == a->capf) {
            size_t cap = a->capf ? 2 * a->capf : 4096;
            feature *f = realloc(a->f, cap * sizeof *f);
            if (!f)
                return -1;
            a->f = f;
            a->capf = cap;
        }
        memset(&a->f[a->nf], 0, sizeof a->f[a->nf]);
        e->value = a->nf++;
    }
    return (int)e->value;
}

static bool has_any(const char *s, const char *const *words)
{
    for (; s && *words; words++)
        if (strstr(s, *words))
            return true;
    return false;
}

/* A Chinese numeral character at p: its digit (0–9; 两 2, and 几 2, the
 * least it can mean) into *digit, or its unit (十 百 千 万) into *unit;
 * false for any other character. */
static bool numeral_char(const char *p, long *digit, long *unit)
{
    const unsigned char *u = (const unsigned char *)p;
    *digit = *unit = -1;
    if (u[0] < 0xE4 || u[0] > 0xE9 || !u[1] || !u[2])
        return false;
    switch ((uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2]) {
    case 0xE99BB6: *digit = 0; break;    /* 零 */
    case 0xE4B880: *digit = 1; break;    /* 一 */
    case 0xE4BA8C:                       /* 二 */
    case 0xE4B8A4:                       /* 两 */
    case 0xE587A0: *digit = 2; break;    /* 几 */
    case 0xE4B889: *digit = 3; break;    /* 三 */
    case 0xE59B9B: *digit = 4; break;    /* 四 */
    case 0xE4BA94: *digit = 5; break;    /* 五 */
    case 0xE585AD: *digit = 6; break;    /* 六 */
    case 0xE4B883: *digit = 7; break;    /* 七 */
    case 0xE585AB: *digit = 8; break;    /* 八 */
    case 0xE4B99D: *digit = 9; break;    /* 九 */
    case 0xE58D81: *unit = 10; break;    /* 十 */
    case 0xE799BE: *unit = 100; break;   /* 百 */
    case 0xE58D83: *unit = 1000; break;  /* 千 */
    case 0xE4B887: *unit = 10000; break; /* 万 */
    default: return false;
    }
    return true;
}

/* The value of a Chinese numeral (二百, 十几, 三千五, 两) at s, its bytes
 * into *used; 0 when s holds none. */
static long chinese_number(const char *s, size_t *used)
{
    long total = 0, section = 0, digit = -1, d, u;
    size_t at = 0;
    while (numeral_char(s + at, &d, &u)) {
        if (d >= 0) {
            digit = d;
        } else if (u == 10000) {
            total = (total + section + (digit >= 0 ? digit : 0)) * u;
            section = 0;
            digit = -1;
        } else {
            section += (digit >= 0 ? digit : 1) * u;
            digit = -1;
        }
        at += 3;
        if (total > 1000000000L || section > 1000000000L) /* 万万万…: no count, no overflow */
            total = section = 1000000000L;
    }
    *used = at;
    return at ? total + section + (digit >= 0 ? digit : 0) : 0;
}

/* The length of the word of words that begins at p, 0 for none. */
static size_t begins_len(const char *p, const char *const *words)
{
    for (; words && *words; words++)
        if (!strncmp(p, *words, strlen(*words)))
            return strlen(*words);
    return 0;
}

/* One of words begins at p. */
static bool begins_with_any(const char *p, const char *const *words)
{
    return begins_len(p, words) > 0;
}

/* The word of words that ends at p (in s), or NULL. */
static const char *ends_with_any(const char *s, const char *p, const char *const *words)
{
    for (size_t k = 0; words[k]; k++) {
        size_t n = strlen(words[k]);
        if ((size_t)(p - s) >= n && !memcmp(p - n, words[k], n))
            return words[k];
    }
    return NULL;
}

/* text without the call-taker's framing, into out (cap bytes, NUL
 * ended). A ticket is written as 来电人反映……, 市民来电称……, 网友留言：……
 * or 知株侠网友反映：…… (株洲's online channel): the ticket's form, not the
 * caller's matter. The knowledge base holds those words only in the
 * hotline's own rules on taking calls (来电人, 诉求, 反映), which a framed
 * question about 低保 then finds. Who spoke is dropped with the reporting
 * words and the colon after it; 市民, 群众 and 网友 only before such a word
 * (市民卡 stays), 来电 only before one (什么时候来电 is the power coming
 * back). */
void rx_assist_unframe(char *out, size_t cap, const char *text)
{
    /* not 反映人, 投诉人 or 咨询人: 反映人行道, 投诉人社局 */
    static const char *const always[] = {"来电人", "来电者",     "来电市民", "来电群众",
                                         "诉求人", "知株侠网友", NULL};
    static const char *const before_reporting[] = {"市民", "群众", "网友", "来电", NULL};
    static const char *const reporting[] = {"来电", "致电", "打电话", "反映", "称",   "表示",
                                            "咨询", "询问", "问",     "投诉", "求助", "留言",
                                            "说",   "讲",   "诉求",   "：",   ":",    NULL};
    if (!cap)
        return;
    size_t n = 0;
    const char *p = text, *end = text + strlen(text);
    while (*p && n + 1 < cap) {
        size_t w = begins_len(p, always), v, len;
        if (!w && (w = begins_len(p, before_reporting)) && !begins_len(p + w, reporting))
            w = 0;
        if (w) {
            p += w;
            while ((v = begins_len(p, reporting)))
                p += v;
            if (n && out[n - 1] != ' ')
                out[n++] = ' ';
            continue;
        }
        uint32_t cp;
        len = rx_utf8_next(p, (size_t)(end - p), &cp);
        if (n + len >= cap)
            break;
        memcpy(out + n, p, len);
        n += len;
        p += len;
    }
    out[n] = 0;
}

/* A count in s, in digits or Chinese numerals and perhaps 多, 余 or 来
 * after it ("三十多", "120", "十来"), of at least min and under max,
 * followed by one of units and by none of not_after (NULL for none). */
static bool counted(const char *s, const char *const *units, const char *const *not_after, long min,
                    long max)
{
    static const char *const about[] = {"多", "余", "来", NULL};
    const char *end = s + strlen(s);
    for (const char *p = s; *p;) {
        long v = 0;
        size_t used = 0;
        if (*p >= '0' && *p <= '9') {
            char *after;
            v = strtol(p, &after, 10);
            used = (size_t)(after - p);
        } else {
            v = chinese_number(p, &used);
        }
        if (!used) { /* the next character */
            uint32_t cp;
            p += rx_utf8_next(p, (size_t)(end - p), &cp);
            continue;
        }
        p += used;
        for (size_t k = 0; about[k]; k++)
            if (!strncmp(p, about[k], strlen(about[k])))
                p += strlen(about[k]);
        if (v >= min && v < max && begins_with_any(p, units) && !begins_with_any(p, not_after))
            return true;
    }
    return false;
}

/* Many people affected: the words, or a count of ten or more households
 * or people, in digits or in Chinese ("三十多户", "120名", "二百多户",
 * "几百个"). */
static bool many_people(const char *s)
{
    static const char *const words[] = {
        "几十户",   "上百户",   "数十户", "上百名", "几百户", "全村", "整栋",
        "整个小区", "全体业主", "业主们", "居民们", "村民们", "联名", "集体",
        "群体",     "上千",     "几十名", "几十个", "多户",   "大批", "好多人",
        "很多人",   "不少人",   "好多户", "很多户", NULL};
    static const char *const units[] = {"户", "名", "人", "家", "位", "个", NULL};
    return has_any(s, words) || counted(s, units, NULL, 10, LONG_MAX);
}

/* The matter has lasted at least min years: a count before 年 ("两年了",
 * "快八年", "十来年", "说了十年"), not a grade (三年级) nor a year of birth
 * or of the calendar (72年出生, 2024年: counts of 50 or more). */
static bool lasted_years(const char *s, long min)
{
    static const char *const units[] = {"年", NULL}, *const grade[] = {"年级", NULL};
    return counted(s, units, grade, min, 50);
}

static const char *const repeat_words[] = {
    "一直冇", "还是冇",   "多次",     "反复",       "屡次", "好几次",   "再次反映", "又反映",
    "一直没", "仍未",     "至今",     "还是没",     "几次", "不止一次", "没人管",   "几回",
    "好多回", "三番五次", "三番两次", "一次又一次", "屡屡", NULL};
static const char *const legacy_words[] = {"历史遗留",   "多年",   "十几年", "遗留", "烂尾",
                                           "开发商跑路", "十多年", "二十年", NULL};
/* A span of years as callers say it without a count (反映好几年了, 吵了好多年):
 * how long one household's matter has gone on, not a 历史遗留 one; many
 * people's matter that has gone on so long is 久拖未决 (CUE_LASTING). */
static const char *const vague_years[] = {"好几年", "好多年", "几年了", NULL};

/* Whether one of words in s covers the text at m (多年 inside 好多年). */
static bool within_word(const char *s, const char *m, const char *const *words)
{
    for (size_t k = 0; words[k]; k++) {
        const char *w = strstr(s, words[k]);
        for (; w && w <= m; w = strstr(w + 1, words[k]))
            if (m < w + strlen(words[k]))
                return true;
    }
    return false;
}

/* 历史遗留: one of legacy_words, but not a span of years that is the
 * caller's own time at work or paying in ("在厂里做了十几年打磨", "交了十几年
 *的养老保险"), which says nothing of how long the matter has lasted. */
static bool legacy(const char *s)
{
    static const char *const tenure[] = {"做了", "干了", "工作了", "上了", "交了", "缴了",
                                         "当了", "种了", "开了",   "教了", "学了", NULL};
    static const char *const about[] = {"快", "近", "好", NULL};
    for (size_t k = 0; legacy_words[k]; k++)
        for (const char *m = strstr(s, legacy_words[k]); m; m = strstr(m + 1, legacy_words[k])) {
            const char *before = m, *w;
            if (within_word(s, m, vague_years))
                continue; /* 好多年: a vague span */
            if ((w = ends_with_any(s, before, about)))
                before -= strlen(w);
            if (!ends_with_any(s, before, tenure))
                return true;
        }
    return false;
}

/* The caller asks for the city's leaders or its supervision, or for the
 * government itself to step in (跨层级协调), or raised it at a 领导接听日:
 * what the 三级交办 sends to a leader. */
static const char *const leader_words[] = {"领导接听日", "市长接待日", "督查部门", "督查室",
                                           "市里督办",   "要求督办",   "领导督办", "政府出面",
                                           "要求政府",   "希望政府",   "请政府",   NULL};

/* 跨层级协调: the matter has gone between the province and the city, a
 * county or a district (县里说是省里管的，省里又说要地方上报; 省里市里区里都
 * 跑过), which no one office below settles: the 三级交办 sends it to a
 * leader. The province as callers name it, as a party (省里, 省上, 省厅),
 * not as a place (省内, 外省, 省级非遗). */
static bool cross_level(const char *s)
{
    static const char *const province[] = {"省里", "省上", "省厅", "省政府", "省级部门", NULL};
    static const char *const below[] = {"县里", "市里", "区里",   "镇里",   "乡里",
                                        "地方", "街道", "县政府", "区政府", NULL};
    return has_any(s, province) && has_any(s, below);
}

/* A compound without property management (无物业老旧小区): the district's
 * street office and community manage it as a last resort (属地兜底), where
 * the same matter in a managed compound goes to its property company and
 * the housing bureau. The word 物业 alone points the other way. */
static const char *const unmanaged_words[] = {"没物业", "无物业",     "没有物业",   "没得物业",
                                              "冇物业", "物业都没有", "物业也没有", NULL};

/* Several departments' duties: the text names two departments or more
 * ("住建说归城管"), says they pass it between them, that one it went to
 * denied it was theirs, or lists several matters. */
static const char *const passing_words[] = {
    "互相推",   "踢皮球",   "推来推去", "推诿",         "都说不归",   "都不管",   "扯皮",
    "几个部门", "多个部门", "几个单位", "不是自己的事", "谁也不牵头", "都有责任", NULL};

/* Each side says it is the other's: spoken forms of the same dispute (讲
 * for 说, as 株洲 callers speak). */
static const char *const mutual_words[] = {
    "各说各的", "各讲各的", "都说是对方", "都说对方", "都说对面", "都讲是对方", "都讲对方",
    "都讲对面", "都说不是", "都讲不是",   "都讲不归", "都说不在", "都讲不在",   "谁都不管",
    "谁也不管", "没人牵头", "互相踢",     "相互推",   NULL};

/* New kinds of business (新业态) whose supervision several departments
 * share or none has settled (监管职责交叉): the 12345 centre sends them to
 * 会商交办. Written from the domain (platform work, prepaid consumption,
 * new venues, cosmetic medicine, new care services, pets, new vehicles,
 * online finance and selling, short lets), less the ones one department
 * plainly handles in Chinese cities (共享单车 parking, 充电桩 报装, 老年代步车,
 * 民宿; docs/ASSIST.md). */
static const char *const newform_words[] = {
    /* 平台经济与灵活用工 */
    "网约车平台", "平台抽成", "聚合打车", "众包骑手", "骑手劳动关系", "骑手超时罚款", "骑手保险",
    "网约配送员", "灵活用工", "新就业形态", "零工平台", "算法派单", "大数据杀熟", "代驾平台",
    "同城货运", "网络货运", "跑腿代购",
    /* 预付式消费 */
    "预付卡", "储值卡", "办卡跑路", "预付费退款", "私教课退费", "健身房跑路", "课时包", "美容卡",
    "职业闭店",
    /* 新型文娱场所 */
    "剧本杀", "密室逃脱", "沉浸式剧场", "桌游吧", "轰趴馆", "私人影院", "点播影院", "电竞酒店",
    "迷你歌咏亭", "抓娃娃机", "蹦床公园", "露营地", "网红打卡点", "玻璃栈道", "玻璃滑道",
    /* 医美与健康新服务 */
    "医美", "医疗美容", "轻医美", "玻尿酸", "水光针", "肉毒素", "瘦脸针", "热玛吉", "超声刀",
    "医美贷", "纹绣", "半永久", "植发", "养发馆", "养生馆", "艾灸馆", "干细胞", "基因检测",
    "互联网医院", "网售处方药", "保健品会销",
    /* 养老托育与生活服务新业态 */
    "旅居养老", "以房养老", "养老会员卡", "医养结合", "月子中心", "月子会所", "产后修复",
    "母婴护理", "托育机构", "家庭托育点", "早教机构", "研学旅行", "共享自习室", "家政平台",
    "婚恋平台", "情感挽回", "心理咨询机构", "陪玩",
    /* 宠物服务 */
    "宠物寄养", "宠物殡葬", "宠物火化", "宠物美容", "活体盲盒", "宠物托运", "异宠", "上门喂宠",
    /* 新型交通工具与设施 */
    "电动滑板车", "平衡车", "共享汽车", "分时租赁", "无人机", "低空飞行", "动力伞", "无人配送车",
    "自动驾驶", "房车营地", "共享充电宝",
    /* 网络金融 */
    "先享后付", "虚拟货币", "炒币", "数字藏品", "元宇宙", "网络互助", "网络众筹", "消费返利",
    "消费全返", "租金贷", "美容贷", "培训贷",
    /* 直播电商与网络消费 */
    "直播带货", "网红带货", "直播打赏", "打赏退款", "短视频带货", "社区团购", "二手交易平台",
    "翡翠直播", "知识付费", "网课退费", "未成年人充值", "游戏代练", "租号", "幽灵外卖", "无人零售",
    "快递柜收费", "电子烟",
    /* 住宿与空间租赁 */
    "网约房", "长租公寓", "共享办公", NULL};

/* Within the next `within` characters of p..end, the text at want. */
static bool near(const char *p, const char *end, const char *want, int within)
{
    for (int k = 0; p < end && k <= within; k++) {
        if (!strncmp(p, want, strlen(want)))
            return true;
        uint32_t cp;
        p += rx_utf8_next(p, (size_t)(end - p), &cp);
    }
    return false;
}

/* The point n characters before p in s, or s. */
static const char *back_chars(const char *s, const char *p, int n)
{
    while (p > s && n-- > 0)
        do
            p--;
        while (p > s && ((unsigned char)*p & 0xC0) == 0x80);
    return p;
}

/* Whether one of words is in s[from, to). */
static bool any_within(const char *from, const char *to, const char *const *words)
{
    for (const char *q = from; q < to; q++)
        if (begins_with_any(q, words))
            return true;
    return false;
}

/* The point n characters after p, or end. */
static const char *forward_chars(const char *p, const char *end, int n)
{
    uint32_t cp;
    while (p < end && n-- > 0)
        p += rx_utf8_next(p, (size_t)(end - p), &cp);
    return p;
}

/* 政策空白: the caller asks for a policy no one has made (希望出台政策解决,
 * 建议制定相关办法) or says there is none (政策空白). The 三级交办 sends
 * such matters to a leader. A question about a policy that exists (有没有
 * 扶持政策) or a demand to apply one (要求落实已出台的政策) is not one. */
static bool policy_gap(const char *s)
{
    static const char *const gap[] = {"政策空白",     "政策盲区",   "政策真空",
                                      "没有政策依据", "无政策依据", NULL};
    static const char *const ask[] = {"希望", "要求", "建议",   "恳请", "呼吁",
                                      "请求", "盼望", "请政府", NULL};
    static const char *const make[] = {"出台", "制定", NULL};
    static const char *const made[] = {"了", "的", "过", NULL};
    static const char *const rule[] = {"政策", "办法", "规定", "标准", "细则", "条例", NULL};
    if (has_any(s, gap))
        return true;
    const char *end = s + strlen(s);
    for (const char *p = s; *p;) {
        uint32_t cp;
        size_t k = begins_len(p, make);
        if (k) {
            const char *after = p + k, *before = back_chars(s, p, 1);
            bool past = begins_with_any(after, made) || !strncmp(before, "已", strlen("已"));
            if (!past && any_within(back_chars(s, p, 16), p, ask) &&
                any_within(after, forward_chars(after, end, 8), rule))
                return true;
        }
        p += rx_utf8_next(p, (size_t)(end - p), &cp);
    }
    return false;
}

/* 重大民生事项: a matter of one of the government's pledged livelihood
 * projects (民生实事), which the 三级交办 sends to a leader. */
static const char *const pledge_words[] = {"民生实事", "为民办实事", NULL};

/* Prepaid consumption whose shop closed (预付式消费闭店): a card or fee paid
 * in advance ("年卡", "办了六千块的卡", "会员费"), and within 40 characters
 * either side the shop gone ("关门", "跑路", "老板失联"); not a bus card, a
 * utility's or a car park's ("公交卡", "电费", "停车月卡"). Where many
 * people lost their money, refunds take the market regulator, commerce
 * and, where it is fraud, the police: 新业态, for 会商交办 (储值卡 and 预付卡
 * are 新业态 words already). */
static bool prepaid_closed(const char *s)
{
    static const char *const paid[] = {"年卡", "月卡", "会员卡", "会员费", "课时费", "办卡", NULL};
    static const char *const gone[] = {"关门",     "跑路", "闭店", "失联", "卷款",
                                       "人去楼空", "倒闭", "停业", NULL};
    static const char *const not_a_shop[] = {"公交", "电费", "水费", "燃气", "物业费", "社保",
                                             "医保", "停车", "话费", "银行", NULL};
    const char *end = s + strlen(s);
    for (const char *p = s; *p;) {
        uint32_t cp;
        size_t step = rx_utf8_next(p, (size_t)(end - p), &cp);
        /* the card or fee: a word of paid, or 办了 and a 卡 within the next
         * 8 characters ("办了三千块的卡"), the words in between saying what
         * it is for */
        const char *card = begins_with_any(p, paid) ? p + step : NULL;
        if (!card && !strncmp(p, "办了", 6) && near(p + 6, end, "卡", 8))
            card = strstr(p + 6, "卡");
        if (card && !any_within(back_chars(s, p, 6), card, not_a_shop)) {
            const char *after = p;
            for (int k = 0; k < 40 && *after; k++)
                after += rx_utf8_next(after, (size_t)(end - after), &cp);
            if (any_within(back_chars(s, p, 40), after, gone))
                return true;
        }
        p += step;
    }
    return false;
}

/* Someone the caller went to said it is not theirs: "城管说归住建",
 * "物业说不是它的事", "学校说管不了", "交警也说管不过来". */
static bool denied(const char *s)
{
    static const char *const words[] = {"不归", "管不了", "管不过来", "说不是", NULL};
    if (has_any(s, words))
        return true;
    const char *end = s + strlen(s);
    for (const char *p = strstr(s, "说"); p; p = strstr(p + 3, "说"))
        if (near(p + 3, end, "归", 4))
            return true;
    return false;
}

/* Several matters in one call: three or more listed ("营业执照、食品经营
 * 许可、消防、排污"), or the caller asks which offices it takes. */
static bool several_items(const char *s)
{
    const char *p = strstr(s, "、");
    if (p && strstr(p + 3, "、"))
        return true;
    static const char *const words[] = {"哪几个", "哪些部门", NULL};
    return has_any(s, words);
}

/* Whether mention i names an office as a party: a district's bare name
 * (荷塘, 天元区) says where the matter is, not who was asked, so only its
 * government's own names count (荷塘区政府, 天元区人民政府). */
static bool names_a_party(const rx_assist *a, size_t i)
{
    return a->mention_cls[i] < MAX_CLASSES || strstr(a->mention[i], "政府") ||
           strstr(a->mention[i], "管委");
}

/* What says the matter is not the speaker's or sends the caller elsewhere. */
static const char *const refusal_words[] = {"不归",   "不是", "不管", "管不了", "管不过来",
                                            "不负责", "要找", "找",   "归",     NULL};

/* Whether q is a 讲 or 说 followed within 8 characters by a refusal:
 * "讲不归他们", "说管不了", "讲要找住建", "说归城管". */
static bool refuses_at(const char *q, const char *end)
{
    static const char *const said[] = {"讲", "说", NULL};
    size_t n = begins_len(q, said);
    for (size_t r = 0; n && refusal_words[r]; r++)
        if (near(q + n, end, refusal_words[r], 8))
            return true;
    return false;
}

/* Whether an office other than class cls is named at p. */
static bool another_party(const rx_assist *a, const char *p, int cls)
{
    for (size_t j = 0; j < a->nmention; j++)
        if (a->mention_cls[j] != cls && names_a_party(a, j) &&
            !strncmp(p, a->mention[j], strlen(a->mention[j])))
            return true;
    return false;
}

/* Whether someone sent the caller on to the office at m ("说归环保",
 * "讲要找住建"): a department turned away there is one side of a dispute. */
static bool sent_on_to(const char *s, const char *m)
{
    static const char *const before[] = {"归", "说找", "讲找", "要找", "让找", NULL};
    return ends_with_any(s, m, before) != NULL;
}

/* Whether the clause after an office's name at p (and the next one, up to
 * another office's name) has it say the matter is not its own. */
static bool says_not_its_own(const rx_assist *a, const char *p, int cls)
{
    const char *end = p + strlen(p);
    int commas = 0;
    for (const char *q = p; *q && commas < 2;) {
        if (!strncmp(q, "。", 3) || !strncmp(q, "；", 3) || !strncmp(q, "？", 3) ||
            !strncmp(q, "！", 3))
            return false;
        if (!strncmp(q, "，", 3) || *q == ',')
            commas++;
        if (q > p && another_party(a, q, cls))
            return false; /* what follows is said by another */
        if (refuses_at(q, end))
            return true;
        uint32_t cp;
        q += rx_utf8_next(q, (size_t)(end - q), &cp);
    }
    return false;
}

/* The classes of the departments the text says turned the matter away:
 * a department named as a party and, in its clause or the next, a 讲 or 说
 * that says it is not theirs or sends the caller elsewhere ("民政那边说不是
 * 他们", "打了环保的电话，讲工地施工要找住建", "找城管讲小区里面不归他们").
 * The department a caller was sent on to (归住建) is not among them. */
static void turned_away(const rx_assist *a, const char *s, bool *out, size_t nc)
{
    for (size_t i = 0; i < a->nmention; i++) {
        int c = a->mention_cls[i] < MAX_CLASSES ? a->mention_cls[i] : LOCAL;
        if ((size_t)c >= nc || out[c] || !names_a_party(a, i))
            continue;
        bool disputed = false, refused = false;
        for (const char *m = strstr(s, a->mention[i]); m; m = strstr(m + 1, a->mention[i])) {
            disputed |= sent_on_to(s, m);
            refused |= says_not_its_own(a, m + strlen(a->mention[i]), a->mention_cls[i]);
        }
        out[c] = refused && !disputed;
    }
}

/* How many times someone in the text says the matter is not theirs or sends
 * the caller elsewhere: a 讲 or 说 followed closely by a refusal. */
static int refusals(const char *s)
{
    int n = 0;
    const char *end = s + strlen(s);
    for (const char *q = s; *q;) {
        n += refuses_at(q, end);
        uint32_t cp;
        q += rx_utf8_next(q, (size_t)(end - q), &cp);
    }
    return n;
}

/* The class of the one department the text says turned the matter away;
 * -1 when none did or several did (a dispute). */
static int sole_refuser(const rx_assist *a, const char *s)
{
    bool out[MAX_CLASSES] = {false};
    turned_away(a, s, out, a->nc);
    int turned = -1;
    for (size_t c = 0; c < a->nc; c++)
        if (out[c]) {
            if (turned >= 0)
                return -1;
            turned = (int)c;
        }
    return turned;
}

/* That department, when its refusal is the only one in the text; else -1. */
static int lone_refuser(const rx_assist *a, const char *s)
{
    int turned = sole_refuser(a, s);
    return turned >= 0 && refusals(s) <= 1 ? turned : -1;
}

/* A speaker in two_speak: an office on the list by its class; the district
 * or county government, with its streets, communities and towns, one party
 * (LOCAL_SIDE: the address names one); another side (物业, 开发商 ...) its
 * group above that. */
#define NO_SIDE (-1)
#define LOCAL_SIDE MAX_CLASSES

/* The sides a caller reports talking to that are not offices on the list,
 * by group; -1 is LOCAL_SIDE. */
static const struct {
    const char *word;
    int group;
} counterparts[] = {{"物业", 0},      {"开发商", 1}, {"街道", -1},  {"社区", -1}, {"居委会", -1},
                    {"镇里", -1},     {"乡里", -1},  {"村委会", 2}, {"村委", 2},  {"村里", 2},
                    {"村干部", 2},    {"学校", 3},   {"商家", 4},   {"店家", 4},  {"项目部", 5},
                    {"施工方", 5},    {"业委会", 6}, {"厂家", 7},   {"房东", 8},  {"中介", 9},
                    {"保险公司", 10}, {NULL, 0}};

/* What says a side spoke (说, 讲, 回复 ...), and the words that only look
 * like it (讲座, 称重). */
static const char *const speech_words[] = {"说", "讲", "回复", "答复", "表示", "称", NULL};
static const char *const not_speech[] = {"讲座", "讲课", "讲究", "讲台", "称重", "称号", NULL};

/* The side whose name ends at p (in s), the longest name; *at is where it
 * begins. The hotline itself is no side (12345平台回复已处理). */
static int side_before(const rx_assist *a, const char *s, const char *p, const char **at)
{
    int who = NO_SIDE;
    size_t len = 0, room = (size_t)(p - s);
    for (size_t i = 0; i < a->nmention; i++) {
        size_t n = strlen(a->mention[i]);
        if (n > len && n <= room && !memcmp(p - n, a->mention[i], n) && names_a_party(a, i)) {
            int c = a->mention_cls[i];
            who = c < MAX_CLASSES && c != LOCAL ? c : LOCAL_SIDE;
            if (c < MAX_CLASSES && a->cname[c] && strstr(a->cname[c], "12345"))
                who = NO_SIDE;
            len = n;
        }
    }
    for (size_t k = 0; counterparts[k].word; k++) {
        size_t n = strlen(counterparts[k].word);
        if (n > len && n <= room && !memcmp(p - n, counterparts[k].word, n)) {
            int g = counterparts[k].group;
            who = g < 0 ? LOCAL_SIDE : LOCAL_SIDE + 1 + g;
            len = n;
        }
    }
    *at = p - len;
    return who;
}

/* The side that speaks at q, a speech word: its name right before, perhaps
 * with a title or 那边 and an adverb between ("物业公司讲", "排水那边说",
 * "街道也讲"); not one the caller spoke to ("跟社区说了", "在村里说过"). */
static int speaker_at(const rx_assist *a, const char *s, const char *q)
{
    static const char *const adverbs[] = {"也", "又", "就", "还", "都", NULL};
    static const char *const titles[] = {"公司",     "经理", "老板", "办",   "书记", "主任", "客服",
                                         "工作人员", "的人", "那边", "那里", "方面", NULL};
    static const char *const to[] = {"跟", "给", "向", "对", "和", "在", "到", NULL};
    const char *e = q, *w;
    if ((w = ends_with_any(s, e, adverbs)))
        e -= strlen(w);
    if ((w = ends_with_any(s, e, titles)))
        e -= strlen(w);
    const char *at;
    int who = side_before(a, s, e, &at);
    return who != NO_SIDE && !ends_with_any(s, at, to) ? who : NO_SIDE;
}

/* Whether what a side says from `from` (after its speech word; s..end is
 * the text) points elsewhere: within its clause, another side's name or a
 * refusal ("在等开发商", "是城管的", "管不了", "不归他们"). */
static bool points_elsewhere(const rx_assist *a, const char *s, const char *end, const char *from,
                             int who)
{
    static const char *const stops[] = {"。", "；", "？", "！", "，", ",", NULL};
    const char *q = from;
    for (int k = 0; k < 16 && *q && !begins_with_any(q, stops); k++) {
        if (begins_with_any(q, refusal_words))
            return true;
        uint32_t cp;
        const char *next = q + rx_utf8_next(q, (size_t)(end - q), &cp), *at;
        int other = side_before(a, s, next, &at);
        if (other != NO_SIDE && other != who && at >= from)
            return true;
        q = next;
    }
    return false;
}

/* Whether two different sides each speak in the text, and one of them
 * points elsewhere: a caller who reports what two sides told him, one
 * sending him to the other or refusing, reports a dispute over whose the
 * matter is ("燃气公司讲在等开发商，开发商讲在等燃气公司"; "城管说不在城区
 * 范围，街道讲管不了"): 职责不明, which 会商交办 settles. Two sides that
 * agree ("城管说明天来，物业说好") are no dispute. */
static bool two_speak(const rx_assist *a, const char *s)
{
    if (!has_any(s, speech_words))
        return false;
    int first = NO_SIDE;
    bool elsewhere = false, two = false;
    const char *end = s + strlen(s);
    for (const char *q = s; *q;) {
        uint32_t cp;
        size_t step = rx_utf8_next(q, (size_t)(end - q), &cp);
        size_t n = begins_len(q, speech_words);
        if (n && begins_with_any(q, not_speech))
            n = 0;
        int who = n ? speaker_at(a, s, q) : NO_SIDE;
        if (who != NO_SIDE) {
            elsewhere |= points_elsewhere(a, s, end, q + n, who);
            two |= first != NO_SIDE && first != who;
            if (first == NO_SIDE)
                first = who;
            if (two && elsewhere)
                return true;
        }
        q += step;
    }
    return false;
}

/* Several departments' duties, or a dispute over whose. A refusal makes
 * one unless it is a single department's, and nobody else's (打了环保的
 * 电话，讲不归他们): the hotline sends the matter on to the right one
 * (the department suggestion moves the one that refused down) and
 * dispatches it at once; the refusing department's name is then no second
 * party either (找环保讲餐饮油烟归城管). */
/* The text asks which of two offices to go to (是去交警队还是发改委申请, 找
 * 社保局还是民政局): an office named right before 还是 and another right
 * after it (perhaps after 去, 找 or 到). The caller does not know whose the
 * matter is; no one has disputed it. */
static bool asks_which(const rx_assist *a, const char *s)
{
    static const char *const go[] = {"去", "找", "到", NULL};
    static const char *const unit[] = {"队", "局", "所", NULL}; /* 交警队 for 交警 */
    for (const char *m = strstr(s, "还是"); m; m = strstr(m + 1, "还是")) {
        const char *w = ends_with_any(s, m, unit), *end = w ? m - strlen(w) : m;
        bool before = false;
        for (size_t i = 0; i < a->nmention && !before; i++) {
            size_t n = strlen(a->mention[i]);
            before =
                names_a_party(a, i) && (size_t)(end - s) >= n && !memcmp(end - n, a->mention[i], n);
        }
        const char *p = m + strlen("还是");
        p += begins_len(p, go);
        for (size_t i = 0; before && i < a->nmention; i++)
            if (names_a_party(a, i) && !strncmp(p, a->mention[i], strlen(a->mention[i])))
                return true;
    }
    return false;
}

static bool several_departments(const rx_assist *a, const char *s)
{
    if (has_any(s, passing_words) || has_any(s, mutual_words) || several_items(s))
        return true;
    /* the offices the text names as parties, each class once */
    int named[MAX_CLASSES];
    size_t nnamed = 0;
    for (size_t i = 0; i < a->nmention; i++) {
        if (!names_a_party(a, i) || !strstr(s, a->mention[i]))
            continue;
        size_t k = 0;
        while (k < nnamed && named[k] != a->mention_cls[i])
            k++;
        if (k == nnamed && nnamed < MAX_CLASSES)
            named[nnamed++] = a->mention_cls[i];
    }
    const bool deny = denied(s);
    if (!deny && (nnamed < 2 || (nnamed == 2 && asks_which(a, s))))
        return two_speak(a, s);
    /* only now the costlier question of who refused (the learner asks
     * this of every past dispatch) */
    const int turned = lone_refuser(a, s);
    if (deny && turned < 0)
        return true;
    size_t parties = 0;
    for (size_t k = 0; k < nnamed; k++)
        parties += named[k] != turned;
    return parties >= 2 || two_speak(a, s);
}

unsigned rx_assist_cues(const rx_assist *a, const char *content)
{
    unsigned c = 0;
    if (several_departments(a, content))
        c |= CUE_MULTI;
    if (many_people(content)) {
        c |= CUE_MANY;
        if (lasted_years(content, 2) || has_any(content, vague_years))
            c |= CUE_LASTING;
    }
    if (has_any(content, repeat_words))
        c |= CUE_REPEAT;
    if (legacy(content))
        c |= CUE_LEGACY;
    if (has_any(content, leader_words))
        c |= CUE_LEADER;
    if (cross_level(content))
        c |= CUE_CROSS;
    if (policy_gap(content))
        c |= CUE_GAP;
    if (has_any(content, pledge_words))
        c |= CUE_PLEDGE;
    if (has_any(content, newform_words) || ((c & CUE_MANY) && prepaid_closed(content)))
        c |= CUE_NEWFORM;
    return c;
}

#define ADDRESS_VILLAGE "@cun"

/* Where the address puts the matter: inside a residential compound, in a
 * village, or on a street. */
static const char *address_kind(const char *addr)
{
    static const char *const compound[] = {"小区", "花园", "苑",   "栋",   "单元", "公寓",
                                           "家园", "新村", "宿舍", "大院", "号楼", NULL};
    static const char *const village[] = {"村", "组", "镇", "乡", NULL};
    static const char *const street[] = {"路", "街", "大道", "巷", "桥", NULL};
    if (!addr || !*addr)
        return NULL;
    if (has_any(addr, compound))
        return "@xq";
    if (has_any(addr, village))
        return ADDRESS_VILLAGE;
    if (has_any(addr, street))
        return "@road";
    return NULL;
}

/* Whether the address is in a village or a township (and not inside a
 * compound there). */
static bool in_village(const char *addr)
{
    const char *k = address_kind(addr);
    return k && !strcmp(k, ADDRESS_VILLAGE);
}

int rx_assist_features(rx_assist *a, const rx_analyzer *an, const char *content,
                       const char *address, bool add, int **out, size_t *n, unsigned *cues_out)
{
    *out = NULL;
    *n = 0;
    rx_analyzer fa = {.flags = RX_AN_BIGRAM | RX_AN_SYNONYM, .synonyms = an ? an->synonyms : NULL};
    rx_strmap bag = {0};
    /* a caller's 冇证 is the 没证 of the duties and past tickets */
    char *folded = strdup(content);
    if (!folded)
        return rx_error_set(RX_ENOMEM, "out of memory");
    rx_text_fold_dialect(folded);
    /* function words tell no department (么子时候 is asked of every one),
     * and the demo's wordings hold them unevenly (docs/ASSIST.md) */
    int rc = rx_analyze_content(&bag, &fa, folded, strlen(folded));
    free(folded);
    if (rc != RX_OK) {
        rx_strmap_free(&bag);
        return rc;
    }
    const char *extra[5];
    size_t nextra = 0;
    unsigned cues = rx_assist_cues(a, content);
    if (cues_out)
        *cues_out = cues;
    if (cues & CUE_MANY)
        extra[nextra++] = "!many";
    if (cues & CUE_REPEAT)
        extra[nextra++] = "!repeat";
    if (cues & CUE_LEGACY)
        extra[nextra++] = "!legacy";
    const char *k = address_kind(address);
    if (k)
        extra[nextra++] = k;
    int *ids = malloc((bag.count + nextra + 1) * sizeof *ids);
    if (!ids) {
        rx_strmap_free(&bag);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < bag.count; i++) {
        int id = feature_id(a, bag.entries[i].key, bag.entries[i].klen, add);
        if (id >= 0)
            ids[m++] = id;
    }
    for (size_t i = 0; i < nextra; i++) {
        int id = feature_id(a, extra[i], strlen(extra[i]), add);
        if (id >= 0)
            ids[m++] = id;
    }
    rx_strmap_free(&bag);
    *out = ids;
    *n = m;
    return RX_OK;
}

/* ---- classes ---- */

/* The governments of districts and counties are one class: what makes a
 * matter 属地 is the kind of matter; which government, the address. */
static bool is_local_government(const char *name)
{
    size_t n = strlen(name);
    static const char *const ends[] = {"人民政府", "管委会", "管理委员会"};
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        size_t e = strlen(ends[k]);
        if (n > e && strcmp(name + n - e, ends[k]) == 0)
            return true;
    }
    return false;
}

int rx_assist_class(rx_assist *a, const char *name, bool add)
{
    if (!name || !*name)
        return -1;
    if (is_local_government(name))
        return LOCAL;
    int added = 0;
    rx_strmap_entry *e = add ? rx_strmap_upsert(&a->cmap, name, strlen(name), &added)
                             : rx_strmap_get(&a->cmap, name, strlen(name));
    if (!e)
        return -1;
    if (added) {
        if (a->nc >= MAX_CLASSES)
            return -1; /* e->value stays 0: LOCAL would be wrong, so refuse */
        e->value = a->nc;
        a->cname[a->nc++] = strdup(name);
    }
    return (int)e->value;
}

static centry *class_entry(feature *f, int cls, bool add)
{
    for (uint16_t i = 0; i < f->n; i++)
        if (f->e[i].cls == cls)
            return &f->e[i];
    if (!add)
        return NULL;
    if (f->n == f->cap) {
        uint16_t cap = f->cap ? (uint16_t)(2 * f->cap) : 2;
        centry *e = realloc(f->e, cap * sizeof *e);
        if (!e)
            return NULL;
        f->e = e;
        f->cap = cap;
    }
    f->e[f->n] = (centry){.cls = (uint16_t)cls};
    return &f->e[f->n++];
}

/* Adds (w > 0) or takes back (w < 0) one example of class cls. */
void rx_assist_count(rx_assist *a, const int *ids, size_t n, int cls, double w, bool returned)
{
    for (size_t i = 0; i < n; i++) {
        centry *e = class_entry(&a->f[ids[i]], cls, true);
        if (!e)
            continue;
        if (returned)
            e->neg += (float)w;
        else
            e->pos += (float)w;
    }
    if (returned) {
        a->neg_total[cls] += w * (double)n;
        a->neg_n[cls] += w;
    } else {
        a->pos_total[cls] += w * (double)n;
        a->pos_n[cls] += w;
    }
}

static void count_df(rx_assist *a, const int *ids, size_t n, double w)
{
    for (size_t i = 0; i < n; i++)
        a->f[ids[i]].df += (float)w;
    a->examples += w;
}

double rx_assist_idf(const rx_assist *a, int id)
{
    double df = id >= 0 ? a->f[id].df : 0;
    return log((a->examples + 1) / (df + 0.5));
}

/* ---- the corpus: departments, districts and duties ---- */

void rx_assist_clear_corpus(rx_assist *a)
{
    for (size_t i = 0; i < a->nduties; i++) {
        duty *d = &a->duties[i];
        rx_assist_count(a, d->feats, d->nfeats, d->cls, -DUTY_WEIGHT, false);
        count_df(a, d->feats, d->nfeats, -DUTY_WEIGHT);
        free(d->dept);
        free(d->text);
        free(d->feats);
    }
    free(a->duties);
    a->duties = NULL;
    a->nduties = 0;
    free(a->duty_off);
    free(a->duty_post);
    a->duty_off = NULL;
    a->duty_post = NULL;
    a->duty_nf = 0;
    for (size_t i = 0; i < a->ngov; i++)
        free(a->gov[i]);
    free(a->gov);
    a->gov = NULL;
    a->ngov = 0;
    for (size_t i = 0; i < a->nmention; i++)
        free(a->mention[i]);
    free(a->mention);
    free(a->mention_cls);
    a->mention = NULL;
    a->mention_cls = NULL;
    a->nmention = 0;
}

/* Adds a department's name to those looked for in a text: two characters
 * at least (城管, 住建), so that no single character counts. */
static void add_mention(rx_assist *a, const char *name, int cls)
{
    if (strlen(name) < 6 || cls < 0)
        return;
    char **m = realloc(a->mention, (a->nmention + 1) * sizeof *m);
    if (m)
        a->mention = m;
    int *c = realloc(a->mention_cls, (a->nmention + 1) * sizeof *c);
    if (c)
        a->mention_cls = c;
    if (m && c && (m[a->nmention] = strdup(name)))
        c[a->nmention++] = cls;
}

/* The duty lines by feature, for duty_match: a text's features lead
 * straight to the lines that hold them. */
static int index_duties(rx_assist *a)
{
    size_t total = 0;
    for (size_t i = 0; i < a->nduties; i++)
        total += a->duties[i].nfeats;
    size_t nf = a->nf;
    size_t *off = calloc(nf + 1, sizeof *off), *next = malloc((nf ? nf : 1) * sizeof *next);
    uint32_t *post = malloc((total ? total : 1) * sizeof *post);
    if (!off || !next || !post) {
        free(off);
        free(next);
        free(post);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    /* counts, then starts, then the lines in order */
    for (size_t i = 0; i < a->nduties; i++)
        for (size_t j = 0; j < a->duties[i].nfeats; j++)
            off[a->duties[i].feats[j] + 1]++;
    for (size_t f = 0; f < nf; f++)
        off[f + 1] += off[f];
    memcpy(next, off, nf * sizeof *next);
    for (size_t i = 0; i < a->nduties; i++)
        for (size_t j = 0; j < a->duties[i].nfeats; j++)
            post[next[a->duties[i].feats[j]]++] = (uint32_t)i;
    free(next);
    a->duty_off = off;
    a->duty_post = post;
    a->duty_nf = nf;
    return RX_OK;
}

int rx_assist_set_corpus(rx_assist *a, const rx_departments *deps, const rx_duties *duties,
                         const rx_analyzer *an, long generation)
{
    pthread_rwlock_rdlock(&a->mu);
    bool same = a->generation == generation && a->generation != 0;
    pthread_rwlock_unlock(&a->mu);
    if (same)
        return RX_OK;
    pthread_rwlock_wrlock(&a->mu);
    int rc = RX_OK;
    rx_assist_clear_corpus(a);
    a->generation = generation;
    size_t nd = deps ? rx_departments_count(deps) : 0;
    a->gov = calloc(nd ? nd : 1, sizeof *a->gov);
    for (size_t i = 0; a->gov && i < nd; i++) {
        const char *const *al;
        size_t n;
        const char *name = rx_departments_name(deps, i, &al, &n);
        /* a district's government is its own party here (街道 and 区 are one
         * when a text says who passed it to whom; the address names one) */
        int mc = rx_assist_class(a, name, true);
        if (mc == LOCAL && (a->gov[a->ngov] = strdup(name)))
            mc = MAX_CLASSES + (int)a->ngov++;
        add_mention(a, name, mc);
        for (size_t k = 0; k < n; k++)
            add_mention(a, al[k], mc);
    }
    size_t n = rx_duties_count(duties);
    a->duties = calloc(n ? n : 1, sizeof *a->duties);
    rx_strmap seen = {0}; /* 属地 duties repeat under each government: once is enough */
    for (size_t i = 0; a->duties && i < n; i++) {
        const rx_duty *d = rx_duties_get(duties, i);
        int cls = rx_assist_class(a, d->department, true);
        if (cls < 0)
            continue;
        if (cls == LOCAL) {
            int added = 0;
            if (!rx_strmap_upsert(&seen, d->text, strlen(d->text), &added) || !added)
                continue;
        }
        duty *x = &a->duties[a->nduties];
        if ((rc = rx_assist_features(a, an, d->text, NULL, true, &x->feats, &x->nfeats, NULL)) !=
            RX_OK)
            break;
        x->cls = cls;
        x->dept = strdup(d->department);
        x->text = strdup(d->text);
        rx_assist_count(a, x->feats, x->nfeats, cls, DUTY_WEIGHT, false);
        count_df(a, x->feats, x->nfeats, DUTY_WEIGHT);
        a->nduties++;
    }
    rx_strmap_free(&seen);
    if (rc == RX_OK)
        rc = index_duties(a);
    pthread_rwlock_unlock(&a->mu);
    return rc;
}

/* The district or county government the address names first (the
 * longest name where two start at once), or NULL; *said is the name as the
 * address has it. */
static const char *local_of(const rx_assist *a, const char *addr, const char **said)
{
    const char *best = NULL, *at = NULL;
    for (size_t i = 0; addr && i < a->nmention; i++) {
        if (a->mention_cls[i] < MAX_CLASSES)
            continue;
        const char *p = strstr(addr, a->mention[i]);
        if (p && (!at || p < at || (p == at && strlen(a->mention[i]) > strlen(*said)))) {
            at = p;
            best = a->gov[a->mention_cls[i] - MAX_CLASSES];
            *said = a->mention[i];
        }
    }
    return best;
}

/* ---- learning from the dispatch loop ---- */

int rx_assist_learn(rx_assist *a, const rx_signal *s, const int *ids, size_t n, unsigned cues)
{
    const char *act = s->action;
    if (!strcmp(act, "dispatch")) {
        int l = s->level ? rx_level_find(s->level) : -1;
        /* the level a dispatcher chose from the text: not a re-dispatch of
         * a reopened ticket, whose level follows its history */
        if (l >= RX_LEVEL_IMMEDIATE && s->from_status && !strcmp(s->from_status, "received"))
            a->cue_level[cues][l - RX_LEVEL_IMMEDIATE] += 1;
        count_df(a, ids, n, 1);
        return RX_OK;
    }
    int cls = rx_assist_class(a, s->department, true);
    if (cls < 0)
        return RX_OK;
    if (!strcmp(act, "accept")) {
        rx_assist_count(a, ids, n, cls, KEPT_WEIGHT, false);
        a->tickets[cls] += 1;
        return rx_linear_add(a, ids, n, cls, KEPT_WEIGHT);
    }
    if (!strcmp(act, "approve")) {
        rx_assist_count(a, ids, n, cls, DONE_WEIGHT, false);
        return rx_linear_add(a, ids, n, cls, DONE_WEIGHT);
    }
    if (!strcmp(act, "return"))
        rx_assist_count(a, ids, n, cls, 1, true);
    return RX_OK;
}

/* ---- suggesting ---- */

static double logistic(double x)
{
    return 1 / (1 + exp(-x));
}

/* For every class, its duty line that shares the most telling features
 * with x (the sum of their idf), and that sum: the first such line in the
 * duties' order where two tie. */
static void duty_match(const rx_assist *a, const int *ids, size_t n, double *score,
                       const duty **best)
{
    for (size_t c = 0; c < a->nc; c++) {
        score[c] = 0;
        best[c] = NULL;
    }
    double *sum = calloc(a->nduties ? a->nduties : 1, sizeof *sum);
    if (!sum)
        return;
    /* x's features are distinct, and so are a line's */
    for (size_t i = 0; i < n; i++) {
        size_t f = (size_t)ids[i];
        if (f >= a->duty_nf || a->duty_off[f] == a->duty_off[f + 1])
            continue;
        double idf = rx_assist_idf(a, ids[i]);
        for (size_t k = a->duty_off[f]; k < a->duty_off[f + 1]; k++)
            sum[a->duty_post[k]] += idf;
    }
    for (size_t i = 0; i < a->nduties; i++) {
        const duty *d = &a->duties[i];
        if (sum[i] > score[d->cls]) {
            score[d->cls] = sum[i];
            best[d->cls] = d;
        }
    }
    free(sum);
}

/* The knowledge base's hits weigh more while there is no history to
 * learn from (a fresh install without `rexian demo`), back to W_HITS as
 * dispatches are accepted: W_HITS + (W_HITS_FRESH − W_HITS) e^(-tickets /
 * HITS_HISTORY). */
#define W_HITS_FRESH 0.6
#define HITS_HISTORY 500
static double hits_weight(const rx_assist *a)
{
    double tickets = 0;
    for (size_t c = 0; c < a->nc; c++)
        tickets += a->tickets[c];
    return W_HITS + (W_HITS_FRESH - W_HITS) * exp(-tickets / HITS_HISTORY);
}

typedef struct {
    int cls;
    double p;
} ranked;

static int by_p(const void *x, const void *y)
{
    double a = ((const ranked *)x)->p, b = ((const ranked *)y)->p;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Scales the scores to sum to 1 (if any is above 0). */
static void normalise(ranked *r, size_t n)
{
    double sum = 0;
    for (size_t c = 0; c < n; c++)
        sum += r[c].p;
    for (size_t c = 0; sum > 0 && c < n; c++)
        r[c].p /= sum;
}

/* Level: 领导交办 where the hotline's rules call for it (the 三级交办 of
 * the 12345 centre: 历史遗留 and major matters of many people that keep
 * coming back), 会商交办 for several departments' duties or a dispute
 * over whose, else how dispatchers leveled past tickets with the same
 * signals in their text (many people, repeated complaints). The topic is
 * left out on purpose: a kind of matter is not more urgent for being
 * common, and a classifier over every bigram learnt the topics' mix of
 * levels rather than the signals (docs/ASSIST.md). */
static rx_level suggest_level(const rx_assist *a, unsigned cues)
{
    /* 领导交办 as the hotline's rules define it: 历史遗留 matters, many
     * people's matter that keeps coming back or has dragged on for years
     * (久拖未决), and what the caller takes to the city's leaders or
     * supervision */
    if ((cues & (CUE_LEGACY | CUE_LEADER | CUE_LASTING | CUE_CROSS | CUE_GAP | CUE_PLEDGE)) ||
        ((cues & CUE_MANY) && (cues & CUE_REPEAT)))
        return RX_LEVEL_LEADER;
    /* 会商交办: several departments' duties, a dispute over whose, or a
     * new kind of business whose supervision they share */
    if (cues & (CUE_MULTI | CUE_NEWFORM))
        return RX_LEVEL_CONSULT;
    const double *c = a->cue_level[cues % NCUES];
    double total = c[0] + c[1] + c[2];
    if (total < 5)
        return RX_LEVEL_IMMEDIATE; /* too little history to say otherwise */
    int best = 0;
    for (int l = 1; l < 3; l++)
        if (c[l] > c[best])
            best = l;
    /* 即交即办 is the rule for a matter with no other signal: past
     * dispatchers overrule it when two of three chose otherwise */
    if (best && c[best] < 2 * total / 3)
        return RX_LEVEL_IMMEDIATE;
    return (rx_level)(RX_LEVEL_IMMEDIATE + best);
}

int rx_assist_suggest_locked(rx_assist_hint *out, rx_assist *a, const int *ids, size_t n,
                             unsigned cues, const rx_assist_input *in, unsigned method)
{
    memset(out, 0, sizeof *out);
    size_t C = a->nc;
    double lp[MAX_CLASSES], p[MAX_CLASSES], pret[MAX_CLASSES], knn[MAX_CLASSES];
    double V = (double)(a->nf ? a->nf : 1), N = 0, knn_total = 0;
    for (size_t c = 0; c < C; c++)
        N += a->pos_n[c];
    for (size_t c = 0; c < C; c++) {
        knn[c] = 0;
        pret[c] = 0;
        if (a->pos_n[c] <= 0) {
            lp[c] = -INFINITY;
            continue;
        }
        lp[c] = PRIOR_POWER * log((a->pos_n[c] + 1) / (N + (double)C));
        double denom = a->pos_total[c] + ALPHA * V;
        double nden = a->neg_total[c] + RETURN_BETA, llr = 0;
        for (size_t i = 0; i < n; i++) {
            const centry *e = class_entry(&a->f[ids[i]], (int)c, false);
            double pk = ((e ? e->pos : 0) + ALPHA) / denom;
            lp[c] += log(pk);
            if (a->neg_n[c] > 0) /* x as the department's returns, against its kept tickets */
                llr += log(((e ? e->neg : 0) + RETURN_BETA * pk) / nden) - log(pk);
        }
        if (a->neg_n[c] > 0)
            pret[c] = logistic(llr + log(a->neg_n[c] / (a->pos_n[c] + 1)));
    }
    /* the sum over many bigrams makes naive Bayes overconfident: temper it */
    double T = n > NB_TEMPER ? sqrt((double)n / NB_TEMPER) : 1, max = -INFINITY, sum = 0;
    for (size_t c = 0; c < C; c++)
        if (lp[c] / T > max)
            max = lp[c] / T;
    for (size_t c = 0; c < C; c++) {
        p[c] = isfinite(lp[c]) ? exp(lp[c] / T - max) : 0;
        sum += p[c];
    }
    for (size_t c = 0; c < C; c++)
        p[c] = sum > 0 ? p[c] / sum : 0;
    /* the linear classifier's posterior, as much as naive Bayes's, once it
     * is fitted */
    if (a->lr) {
        double pl[MAX_CLASSES];
        rx_linear_posterior(a->lr, ids, n, pl, C);
        for (size_t c = 0; c < C; c++)
            p[c] = (1 - W_LINEAR) * p[c] + W_LINEAR * pl[c];
    }
    for (size_t i = 0; i < in->nneighbours; i++) {
        int c = rx_assist_class(a, in->neighbours[i], false);
        if (c >= 0 && (size_t)c < C) {
            knn[c] += in->neighbour_weights[i];
            knn_total += in->neighbour_weights[i];
        }
    }
    /* the duties: the best-matching line of each department, as a softmax */
    double dscore[MAX_CLASSES], pd[MAX_CLASSES], dsum = 0;
    const duty *dbest[MAX_CLASSES];
    duty_match(a, ids, n, dscore, dbest);
    for (size_t c = 0; c < C; c++)
        dsum += (pd[c] = exp(DUTY_TEMP * dscore[c]));
    /* the search's hits: each hit's department, by its score against the
     * first's (a hit at half the first's score counts 1/150 of it) */
    double ph[MAX_CLASSES] = {0}, hits_total = 0;
    for (size_t i = 0; i < in->nhits; i++) {
        int c = rx_assist_class(a, in->hit_departments[i], false);
        if (c < 0 || in->hit_scores[0] <= 0)
            continue;
        double w = exp(HITS_SHARP * (in->hit_scores[i] / in->hit_scores[0] - 1));
        ph[c] += w;
        hits_total += w;
    }
    /* the evidence combined: each method's probabilities, weighted */
    double wn = (method & RX_ASSIST_NB) ? (a->lr ? W_CLASSIFIERS : W_NB) : 0,
           wd = (method & RX_ASSIST_DUTY) ? W_DUTY : 0,
           wk = (method & RX_ASSIST_KNN) && knn_total > 0 ? W_KNN : 0,
           wh = (method & RX_ASSIST_HITS) && hits_total > 0 ? hits_weight(a) : 0;
    if (wn + wd + wk + wh <= 0)
        wn = 1;
    ranked r[MAX_CLASSES] = {{0}};
    for (size_t c = 0; c < C; c++) {
        double pk = knn_total > 0 ? knn[c] / knn_total : 0;
        double phc = hits_total > 0 ? ph[c] / hits_total : 0;
        /* whatever pointed to it, what a department returns is not its own */
        r[c] = (ranked){(int)c, (wn * p[c] + wd * pd[c] / dsum + wk * pk + wh * phc) /
                                    (wn + wd + wk + wh) * (1 - 0.9 * pret[c])};
    }
    normalise(r, C);
    /* the one department the caller says turned the matter away is not
     * where it goes first; when several did, it is a dispute for 会商 */
    const int refuser = sole_refuser(a, in->content);
    if (refuser >= 0) {
        r[refuser].p *= W_TURNED_AWAY;
        normalise(r, C);
    }
    /* a compound without property management: the district's, whatever
     * else the words point to (chosen on the development tickets,
     * docs/ASSIST.md) */
    bool unmanaged = has_any(in->content, unmanaged_words);
    if (unmanaged) {
        r[LOCAL].p += W_UNMANAGED;
        normalise(r, C);
    }
    const char *said = "";
    const char *district = local_of(a, in->address, &said);
    if (!district)
        district = local_of(a, in->content, &said);
    /* a village or a township: the city's offices work in the urban
     * districts, and what happens in a village (its roads, water, refuse,
     * burning straw, a house to rebuild) is first the township's (属地管理;
     * chosen on the development tickets over five demo years,
     * docs/ASSIST.md); only where there is a government to offer */
    const bool village = district && in_village(in->address);
    if (village) {
        r[LOCAL].p += W_VILLAGE;
        normalise(r, C);
    }
    qsort(r, C, sizeof *r, by_p);
    for (size_t k = 0; k < C && out->ndepts < RX_ASSIST_MAX_DEPTS; k++) {
        int c = r[k].cls;
        if (r[k].p < 0.01 && out->ndepts >= 3) /* three to choose from, at least */
            break;
        if (c == LOCAL && !district)
            continue;
        rx_dept_hint *h = &out->depts[out->ndepts++];
        snprintf(h->name, sizeof h->name, "%s", c == LOCAL ? district : a->cname[c]);
        h->score = r[k].p;
        rx_buf why = {0};
        double ds = dscore[c];
        const duty *d = dbest[c];
        if (c == LOCAL)
            rx_buf_printf(&why, "属地事项，地址在%s%s%s", said,
                          unmanaged ? "；无物业小区由属地兜底管理" : "",
                          village ? "；村镇事务先由乡镇属地办理" : "");
        if (d && ds > 0)
            rx_buf_printf(&why, "%s职责清单：%s", why.len ? "；" : "", d->text);
        if (knn[c] > 0) {
            int votes = 0;
            for (size_t i = 0; i < in->nneighbours; i++)
                votes += rx_assist_class(a, in->neighbours[i], false) == c;
            rx_buf_printf(&why, "%s%d 张相似历史工单由其承办", why.len ? "；" : "", votes);
        } else if (a->tickets[c] >= 20 && p[c] >= 0.2) { /* the history, not the duties */
            rx_buf_printf(&why, "%s过去同类工单多由其承办", why.len ? "；" : "");
        }
        if (pret[c] > 0.3)
            rx_buf_printf(&why, "%s注意：类似工单曾被其退回", why.len ? "；" : "");
        if (c == refuser)
            rx_buf_printf(&why, "%s注意：来电人称该单位表示不归其管", why.len ? "；" : "");
        snprintf(h->why, sizeof h->why, "%s", why.len ? why.data : "历史派单统计");
        rx_buf_free(&why);
    }
    /* the level, and what it rests on */
    if (in->unresolved_repeats > 0)
        cues |= CUE_REPEAT;
    if (in->leader_day)
        cues |= CUE_LEADER;
    rx_level l = suggest_level(a, cues);
    out->level = l;
    if (l != RX_LEVEL_IMMEDIATE) {
        if (cues & CUE_MULTI)
            out->reasons[out->nreasons++] = "涉及多个部门职责或职责有争议";
        else if (cues & CUE_NEWFORM)
            out->reasons[out->nreasons++] = "新业态，多部门监管职责交叉";
        else if (out->ndepts >= 2 && out->depts[1].score >= 0.2)
            out->reasons[out->nreasons++] = "涉及多个部门职责";
        if (cues & CUE_MANY)
            out->reasons[out->nreasons++] = "涉及人数多";
        if ((cues & CUE_REPEAT) || in->unresolved_repeats > 0)
            out->reasons[out->nreasons++] = "反复投诉未解决";
        if (cues & CUE_LEGACY)
            out->reasons[out->nreasons++] = "历史遗留问题";
        if (cues & CUE_LASTING)
            out->reasons[out->nreasons++] = "问题已持续数年未解决";
        if (cues & CUE_CROSS)
            out->reasons[out->nreasons++] = "需跨层级协调（省、市、县区）";
        if (cues & CUE_GAP)
            out->reasons[out->nreasons++] = "政策空白，需研究出台政策";
        if (cues & CUE_PLEDGE)
            out->reasons[out->nreasons++] = "重大民生事项（政府民生实事）";
        if (in->leader_day)
            out->reasons[out->nreasons++] = "领导接听日诉求，现场交办";
        else if (cues & CUE_LEADER)
            out->reasons[out->nreasons++] = "来电人要求领导督办或为领导接听日诉求";
        if (!out->nreasons)
            out->reasons[out->nreasons++] = "过去类似工单多以此级别交办";
    } else {
        out->reasons[out->nreasons++] = "单一部门职责，可即交即办";
    }
    return RX_OK;
}
