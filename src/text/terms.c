/* The terms of hotline text for statistics: normalise, fold synonyms,
 * split the rest with friso, drop what every call says. */
#include "rexian/terms.h"

#include "rexian/error.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What callers and call-takers say about every matter: the record's
 * framing (来电人反映), requests (希望尽快处理), feelings, time words,
 * pronouns and function words. Ours, written for hotline speech; a word
 * that names a thing (物业, 噪音, 积水) never belongs here. */
static const char *const stopwords[] = {
    /* the record and the call */
    "来电",
    "来电人",
    "市民",
    "网友",
    "留言",
    "反映",
    "反应",
    "咨询",
    "询问",
    "投诉",
    "举报",
    "诉求",
    "情况",
    "问题",
    "事情",
    "事项",
    "事儿",
    "你好",
    "您好",
    "喂",
    "麻烦",
    "请问",
    "谢谢",
    "感谢",
    "一下",
    "问问",
    "想问",
    "了解",
    "告知",
    "称",
    "表示",
    "来电称",
    "反映称",
    /* requests */
    "希望",
    "要求",
    "请求",
    "尽快",
    "及时",
    "处理",
    "解决",
    "核实",
    "答复",
    "回复",
    "给个",
    "说法",
    "相关",
    "部门",
    "相关部门",
    "有关部门",
    "有关",
    "单位",
    "政府",
    "重视",
    "安排",
    "人员",
    "派人",
    "过来",
    "看看",
    "看一下",
    "管一管",
    "管管",
    "协调",
    "落实",
    "彻底",
    "早点",
    "回音",
    "帮忙",
    "帮助",
    "办法",
    "想办法",
    "负责",
    "处理一下",
    "调查",
    /* feelings and degree */
    "实在",
    "真的",
    "非常",
    "特别",
    "很多",
    "严重",
    "影响",
    "着急",
    "焦虑",
    "生气",
    "气人",
    "不满",
    "满意",
    "不满意",
    "没办法",
    "不想",
    "不知道",
    "知道",
    "觉得",
    "感觉",
    "好像",
    "可能",
    "应该",
    "必须",
    "需要",
    "一定",
    "根本",
    "完全",
    "几乎",
    "总是",
    "经常",
    "一直",
    "还是",
    "仍然",
    "依然",
    "已经",
    "马上",
    "终于",
    "到底",
    "究竟",
    "居然",
    "竟然",
    "其实",
    "确实",
    /* time */
    "现在",
    "目前",
    "今天",
    "昨天",
    "前天",
    "明天",
    "今年",
    "去年",
    "上个月",
    "这个月",
    "最近",
    "这两天",
    "每天",
    "天天",
    "每次",
    "一次",
    "多次",
    "好几次",
    "几次",
    "晚上",
    "早上",
    "上午",
    "下午",
    "中午",
    "半夜",
    "时候",
    "时间长",
    "好长时间",
    "长时间",
    "以前",
    "之前",
    "以后",
    "之后",
    "后来",
    "开始",
    "到现在",
    "至今",
    "星期",
    "个月",
    "多年",
    "几年",
    "好几年",
    /* people and pointers */
    "我们",
    "你们",
    "他们",
    "她们",
    "自己",
    "大家",
    "别人",
    "人家",
    "这个",
    "那个",
    "这些",
    "那些",
    "这里",
    "那里",
    "这边",
    "那边",
    "这样",
    "那样",
    "这种",
    "那种",
    "什么",
    "怎么",
    "怎么办",
    "怎么样",
    "为什么",
    "哪里",
    "哪些",
    "哪个",
    "多少",
    "如何",
    "是否",
    "是不是",
    "能不能",
    "可不可以",
    "有没有",
    "会不会",
    "要不要",
    "可以",
    "能够",
    "不能",
    "不会",
    /* function words and verbs of saying */
    "没有",
    "没人",
    "不是",
    "就是",
    "但是",
    "可是",
    "而且",
    "并且",
    "所以",
    "因为",
    "如果",
    "虽然",
    "然后",
    "还有",
    "以及",
    "或者",
    "还是",
    "只是",
    "只能",
    "只有",
    "对于",
    "关于",
    "由于",
    "通过",
    "进行",
    "出现",
    "发生",
    "存在",
    "造成",
    "导致",
    "说是",
    "说了",
    "告诉",
    "打电话",
    "电话",
    "打了",
    "找过",
    "找了",
    "去了",
    "来了",
    "一个",
    "一些",
    "一点",
    "有点",
    "一样",
    "不了",
    "不到",
    "不行",
    "没用",
    "好多",
    "很大",
    "太多",
    "不少",
    "其他",
    "其它",
    "等等",
    "之类",
    "方面",
    "一起",
    "所有",
    "整个",
    "全部",
    "附近",
    "周边",
    "旁边",
    "门口的",
    "本人",
    "家里",
    "我家",
    "家人",
    "这件",
    "那件",
    "今后",
    "以来",
    "结果",
    "说明",
    "来看",
    "还没",
    "打过",
    "我想",
    "想问",
    "说不",
    "几个",
    "半年",
    "多了",
    "这么",
    "那么",
    "时间",
    "女士",
    "先生",
    "阿姨",
    "师傅",
    "正常生活",
    "一遍",
    "好几遍",
    "没下文",
    "下文",
    /* where and who, said of every matter: the place's own name says more */
    "楼上",
    "楼下",
    "隔壁",
    "对面",
    "邻居",
    "住宅小区",
    "小区",
    "街道",
    "大道",
    "花园",
    "村里",
    "老年人",
    "老人",
    "子女",
    "孩子",
    "小孩",
    "业主们",
    "居民",
    "群众",
    "老百姓",
    /* adverbs and measure words of the spoken record */
    "都是",
    "都说",
    "全是",
    "一年",
    "一到",
    "突然",
    "住在",
    "从上",
    "月了",
    "这段",
    "那段",
    "一段",
    "一下子",
    "一年多",
    "一天",
    "两天",
    "几天",
    "每年",
    "年年",
    /* how it feels, what was tried */
    "心里",
    "踏实",
    "不踏实",
    "彻底解决",
    "会派",
    "没来",
    "不要",
    "网上",
    "留过言",
    "没人管",
    "没人理",
    "受影响",
    "影响到",
    "一直没",
    "好几个",
    "推来推去",
    "说会",
    "派人来",
    "太大",
    "太小",
    "回事",
    "东西",
    "地方",
    "办事",
    "那天",
    "当时",
    "平时",
    "还要",
    "还得",
    "只好",
    "只得",
};

static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static rx_strmap stop_map;

static void stop_load(void)
{
    int added;
    for (size_t k = 0; k < sizeof stopwords / sizeof stopwords[0]; k++)
        if (!rx_strmap_upsert(&stop_map, stopwords[k], strlen(stopwords[k]), &added))
            return; /* out of memory: fewer stopwords, never a crash */
}

bool rx_terms_stopword(const char *word, size_t len)
{
    pthread_once(&stop_once, stop_load);
    return rx_strmap_get(&stop_map, word, len) != NULL;
}

void rx_term_list_clear(rx_term_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k].term);
    free(l->v);
    memset(l, 0, sizeof *l);
}

typedef struct {
    rx_term_list *out;
    bool joined; /* the next word follows a kept term directly */
    int rc;
} walker;

/* Keeps word w (or drops it, breaking the chain of adjacent terms). */
static void keep(walker *w, const char *s, size_t len)
{
    size_t chars = rx_utf8_count(s, len);
    bool content = chars >= 2 && chars <= 12 && !rx_terms_stopword(s, len);
    for (size_t k = 0; content && k < len;) {
        uint32_t cp;
        k += rx_utf8_next(s + k, len - k, &cp);
        if (cp < 0x80 && !(cp >= 'a' && cp <= 'z'))
            content = false; /* digits (3栋, 2024), punctuation: not a term */
    }
    if (!content) {
        w->joined = false;
        return;
    }
    rx_term_list *l = w->out;
    rx_term *grown = rx_array_grow(l->v, &l->cap, l->n, sizeof *l->v, 32);
    if (!grown) {
        w->rc = rx_error_set(RX_ENOMEM, "out of memory");
        return;
    }
    l->v = grown;
    char *t = malloc(len + 1);
    if (!t) {
        w->rc = rx_error_set(RX_ENOMEM, "out of memory");
        return;
    }
    memcpy(t, s, len);
    t[len] = '\0';
    l->v[l->n++] = (rx_term){.term = t, .joined = w->joined};
    w->joined = true;
}

static void on_word(void *ctx, const char *word, size_t len)
{
    keep(ctx, word, len);
}

/* Splits text[0..len) (no synonym inside) into words: Han runs through
 * friso, Latin letters as words; anything else breaks adjacency. */
static int plain(walker *w, const char *text, size_t len)
{
    size_t start = 0;
    int kind = 0; /* 0 other, 1 Han, 2 Latin letters */
    for (size_t pos = 0; pos <= len;) {
        uint32_t cp = 0;
        size_t n = pos < len ? rx_utf8_next(text + pos, len - pos, &cp) : 0;
        int k = pos == len ? 0 : rx_is_han(cp) ? 1 : (cp >= 'a' && cp <= 'z') ? 2 : 0;
        if (k != kind) {
            if (kind == 1) {
                int rc = rx_segment(RX_SEG_FRISO, text + start, pos - start, on_word, w);
                if (rc != RX_OK)
                    return rc;
            } else if (kind == 2) {
                keep(w, text + start, pos - start);
            } else if (pos > start) {
                w->joined = false;
            }
            start = pos;
            kind = k;
        }
        if (pos == len)
            break;
        pos += n;
    }
    return w->rc;
}

typedef struct {
    size_t group, start, len;
} match;

typedef struct {
    match *v;
    size_t n, cap;
    bool oom;
} matches;

static void on_match(void *ctx, size_t group, size_t start, size_t len)
{
    matches *m = ctx;
    if (m->n && m->v[m->n - 1].start == start)
        return; /* a term of several groups: the first group stands for it */
    match *grown = rx_array_grow(m->v, &m->cap, m->n, sizeof *m->v, 16);
    if (!grown) {
        m->oom = true;
        return;
    }
    m->v = grown;
    m->v[m->n++] = (match){group, start, len};
}

int rx_terms_extract(rx_term_list *out, const rx_synonyms *syn, const char *text, size_t len)
{
    char *norm;
    size_t nlen;
    int rc = rx_text_normalize(&norm, &nlen, text, len);
    if (rc != RX_OK)
        return rc;
    matches m = {0};
    rx_synonyms_scan(syn, norm, nlen, on_match, &m);
    if (m.oom) {
        free(m.v);
        free(norm);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    walker w = {.out = out, .rc = RX_OK};
    size_t at = 0;
    for (size_t k = 0; rc == RX_OK && k <= m.n; k++) {
        size_t end = k < m.n ? m.v[k].start : nlen;
        if (k < m.n && rx_utf8_count(norm + m.v[k].start, m.v[k].len) < 2)
            continue; /* a one-character synonym (娃) is no term: friso splits it with its text */
        rc = plain(&w, norm + at, end - at);
        if (rc != RX_OK || k == m.n)
            break;
        size_t nterms;
        const char *const *g = rx_synonyms_group(syn, m.v[k].group, &nterms);
        if (rx_terms_stopword(g[0], strlen(g[0])))
            w.joined = false;
        else
            keep(&w, g[0], strlen(g[0]));
        rc = w.rc;
        at = m.v[k].start + m.v[k].len;
    }
    free(m.v);
    free(norm);
    return rc;
}
