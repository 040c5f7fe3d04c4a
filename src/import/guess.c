/* The guesses: title, department (letterhead, page headers, the signature,
 * departments.txt names and aliases), type, 文号, effective and expiry
 * dates (施行日期, 有效期至, 自…起施行, 有效期 N 年, the signature date)
 * and tags (synonyms.txt terms of the title and the text). Each is a
 * guess for the admin to confirm; none is ever final. */
#include "guess.h"
#include "rexian/error.h"
#include "rexian/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of s without blanks (PDF and DOCX runs split words and dates). */
static char *squeeze(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
            i++;
            continue;
        }
        if (i + 3 <= n && !memcmp(s + i, "\xE3\x80\x80", 3)) { /* U+3000 */
            i += 3;
            continue;
        }
        o[k++] = s[i++];
    }
    o[k] = '\0';
    return o;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !memcmp(s + n - t, tail, t);
}

static bool starts_with(const char *s, const char *head)
{
    return !strncmp(s, head, strlen(head));
}

/* ---- departments */

/* The department named in text, by its longest name or alias of at least
 * two Han characters (short aliases such as 公安 match too much), the
 * earliest on a tie. *pos receives where. */
static const char *find_department(const rx_departments *deps, const char *text, size_t *pos)
{
    const char *best = NULL;
    size_t best_len = 0, best_pos = 0;
    size_t n = deps ? rx_departments_count(deps) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *const *aliases;
        size_t na;
        const char *canon = rx_departments_name(deps, i, &aliases, &na);
        for (size_t k = 0; k <= na; k++) {
            const char *term = k == 0 ? canon : aliases[k - 1];
            size_t tl = strlen(term);
            bool digits = true;
            for (const char *q = term; *q && digits; q++)
                digits = *q >= '0' && *q <= '9';
            if (tl < 6 || digits)
                continue;
            const char *hit = strstr(text, term);
            if (!hit)
                continue;
            size_t p = (size_t)(hit - text);
            if (tl > best_len || (tl == best_len && p < best_pos)) {
                best = canon;
                best_len = tl;
                best_pos = p;
            }
        }
    }
    if (pos)
        *pos = best_pos;
    return best;
}

/* A letterhead (文头): 株洲市住房和城乡建设局文件, or a department's name
 * alone. */
static bool letterhead(const rx_departments *deps, const char *sq)
{
    if (!*sq || strlen(sq) > 90)
        return false;
    if (ends_with(sq, "文件") && strlen(sq) > 6)
        return true;
    if (deps && rx_departments_canonical(deps, sq) != NULL)
        return true;
    /* 株洲市住房公积金管理中心: a name whose alias covers all but the city */
    size_t pos;
    const char *dep = find_department(deps, sq, &pos);
    if (!dep)
        return false;
    const char *const *aliases;
    size_t na, longest = 0;
    for (size_t i = 0; i < rx_departments_count(deps); i++) {
        const char *canon = rx_departments_name(deps, i, &aliases, &na);
        if (strcmp(canon, dep) != 0)
            continue;
        for (size_t k = 0; k <= na; k++) {
            const char *term = k ? aliases[k - 1] : canon;
            if (strstr(sq, term) && strlen(term) > longest)
                longest = strlen(term);
        }
    }
    return longest + 9 >= strlen(sq);
}

/* ---- 文号: 株住建发〔2024〕3号 */

static bool han_at(const char *s, size_t len, size_t i, size_t *k)
{
    uint32_t cp;
    *k = rx_utf8_next(s + i, len - i, &cp);
    return rx_is_han(cp);
}

char *rx_import_find_docno(const char *text)
{
    static const char *const open[] = {"\xE3\x80\x94", "\xEF\xBC\xBB", "\xEF\xBC\x88", "[", "(",
                                       "\xE3\x80\x90"};
    static const char *const close[] = {"\xE3\x80\x95", "\xEF\xBC\xBD", "\xEF\xBC\x89", "]", ")",
                                        "\xE3\x80\x91"};
    char *s = squeeze(text);
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *found = NULL;
    for (size_t i = 0; i < len && !found; i++) {
        for (size_t b = 0; b < sizeof open / sizeof open[0] && !found; b++) {
            size_t ol = strlen(open[b]);
            if (strncmp(s + i, open[b], ol) != 0)
                continue;
            size_t p = i + ol, y = 0;
            /* p + y < len = strlen(s);
             * NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
            while (p + y < len && s[p + y] >= '0' && s[p + y] <= '9')
                y++;
            if (y != 4 || strncmp(s + p + y, close[b], strlen(close[b])) != 0)
                continue;
            p += y + strlen(close[b]);
            size_t d = 0;
            while (p + d < len && s[p + d] >= '0' && s[p + d] <= '9')
                d++;
            if (d < 1 || d > 5 || strncmp(s + p + d, "号", 3) != 0)
                continue;
            size_t end = p + d + 3;
            /* the prefix: up to 12 Han characters before the bracket */
            size_t start = i, count = 0;
            while (start >= 3 && count < 12) {
                size_t k;
                if (!han_at(s, len, start - 3, &k) || k != 3)
                    break;
                start -= 3;
                count++;
            }
            if (count == 0)
                continue;
            found = strndup(s + start, end - start);
        }
    }
    free(s);
    return found;
}

/* ---- dates */

static int cn_digit(const char *s, size_t *k)
{
    static const char *const d[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    *k = 3;
    if (starts_with(s, "○") || starts_with(s, "零") || starts_with(s, "Ｏ"))
        return 0;
    for (int i = 0; i < 10; i++)
        if (starts_with(s, d[i]))
            return i;
    if (s[0] == 'O' || s[0] == 'o') {
        *k = 1;
        return 0;
    }
    return -1;
}

/* A number of one to three Chinese numerals (一 … 三十一). */
static int cn_number(const char *s, size_t *len)
{
    size_t k, p = 0;
    int v = 0;
    if (starts_with(s, "十")) {
        v = 10;
        p = 3;
        int u = cn_digit(s + p, &k);
        if (u > 0) {
            v += u;
            p += k;
        }
    } else {
        int t = cn_digit(s, &k);
        if (t <= 0)
            return -1;
        p = k;
        v = t;
        if (starts_with(s + p, "十")) {
            p += 3;
            v *= 10;
            int u = cn_digit(s + p, &k);
            if (u > 0) {
                v += u;
                p += k;
            }
        }
    }
    *len = p;
    return v;
}

static int arabic(const char *s, size_t max_digits, size_t *len)
{
    size_t n = 0;
    int v = 0;
    while (n < max_digits && s[n] >= '0' && s[n] <= '9')
        v = v * 10 + (s[n++] - '0');
    *len = n;
    return n ? v : -1;
}

/* A date at s (blanks squeezed out): 2024年3月1日, 2024-03-01, 2024.3.1,
 * 2024/3/1, 二〇二四年三月一日. Returns its length in bytes, 0 if none. */
static size_t date_at(const char *s, long *days)
{
    size_t p = 0, k;
    int y, m, d;
    y = arabic(s, 4, &k);
    if (y >= 0 && k == 4 && !(s[4] >= '0' && s[4] <= '9')) {
        p = 4;
        const char *sep = NULL;
        if (starts_with(s + p, "年"))
            sep = "年";
        else if (s[p] == '-' || s[p] == '.' || s[p] == '/')
            sep = s[p] == '-' ? "-" : s[p] == '.' ? "." : "/";
        if (!sep)
            return 0;
        p += strlen(sep);
        m = arabic(s + p, 2, &k);
        if (m < 0)
            return 0;
        p += k;
        if (!strcmp(sep, "年")) {
            if (!starts_with(s + p, "月"))
                return 0;
            p += 3;
        } else if (s[p] == sep[0]) {
            p++;
        } else {
            return 0;
        }
        d = arabic(s + p, 2, &k);
        if (d < 0)
            return 0;
        p += k;
        if (starts_with(s + p, "日") || starts_with(s + p, "号"))
            p += 3;
    } else {
        /* 二〇二四年 */
        y = 0;
        for (int i = 0; i < 4; i++) {
            int v = cn_digit(s + p, &k);
            if (v < 0)
                return 0;
            y = y * 10 + v;
            p += k;
        }
        if (!starts_with(s + p, "年"))
            return 0;
        p += 3;
        m = cn_number(s + p, &k);
        if (m < 0 || !starts_with(s + p + k, "月"))
            return 0;
        p += k + 3;
        d = cn_number(s + p, &k);
        if (d < 0 || !starts_with(s + p + k, "日"))
            return 0;
        p += k + 3;
    }
    char iso[16];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    long v = rx_date_parse(iso, 10);
    if (v == RX_DATE_INVALID)
        return 0;
    *days = v;
    return p;
}

typedef struct {
    size_t start, end;
    long days;
} date_hit;

/* Whether the len bytes before pos in s end with one of words. */
static bool before_is(const char *s, size_t pos, const char *const *words)
{
    for (; *words; words++) {
        size_t n = strlen(*words);
        if (pos >= n && !memcmp(s + pos - n, *words, n))
            return true;
    }
    return false;
}

static bool after_is(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (starts_with(s, *words))
            return true;
    return false;
}

/* 有效期 N 年 → N, or 0. */
static int validity_years(const char *s)
{
    const char *p = strstr(s, "有效期");
    while (p) {
        const char *q = p + strlen("有效期");
        if (starts_with(q, "为"))
            q += 3;
        size_t k;
        int n = arabic(q, 2, &k);
        if (n < 0) {
            if (starts_with(q, "两")) {
                n = 2;
                k = 3;
            } else {
                n = cn_number(q, &k);
            }
        }
        if (n > 0 && n <= 50 && starts_with(q + k, "年"))
            return n;
        p = strstr(q, "有效期");
    }
    return 0;
}

static void set_date(char out[11], long days)
{
    rx_date_format(out, days);
}

/* Adds years to a day, then takes one day off: 有效期 5 年 from
 * 2024-03-01 runs to 2029-02-28. */
static long plus_years_minus_day(long day, int years)
{
    char iso[11];
    rx_date_format(iso, day);
    int y = atoi(iso) + years;
    char next[16];
    snprintf(next, sizeof next, "%04d%s", y, iso + 4);
    long v = rx_date_parse(next, 10);
    if (v == RX_DATE_INVALID) { /* 29 February */
        snprintf(next, sizeof next, "%04d-03-01", y);
        v = rx_date_parse(next, 10);
        return v - 1;
    }
    return v - 1;
}

static void guess_dates(rx_import_draft *d, const char *all, size_t tail_from)
{
    static const char *const eff_before[] = {"施行日期：", "施行日期:", "实施日期：", "实施日期:",
                                             "生效日期：", "生效日期:", "施行时间：", "执行日期：",
                                             "有效期自",   "有效期为",  "有效期从",   NULL};
    static const char *const from_word[] = {"自", "从", "于", NULL};
    static const char *const eff_after[] = {
        "起施行",   "起实施",   "起执行", "起生效", "起正式施行", "起正式实施", "起试行",
        "开始施行", "开始实施", "施行",   "实施",   "生效",       NULL};
    static const char *const exp_before[] = {"有效期至",     "有效期到",   "有效期截至",
                                             "有效期截止到", "截止日期：", "失效日期：",
                                             "废止日期：",   NULL};
    static const char *const until_after[] = {"止", "终止", "失效", "废止", NULL};
    static const char *const until_before[] = {"至", "到", NULL};
    date_hit hits[64];
    size_t nh = 0;
    size_t len = strlen(all);
    for (size_t i = 0; i < len && nh < 64;) {
        long days;
        size_t k = date_at(all + i, &days);
        if (k) {
            hits[nh++] = (date_hit){i, i + k, days};
            i += k;
        } else {
            i++;
        }
    }
    long eff = RX_DATE_INVALID, exp = RX_DATE_INVALID, signed_on = RX_DATE_INVALID;
    for (size_t h = 0; h < nh; h++) {
        const date_hit *x = &hits[h];
        const char *after = all + x->end;
        if (eff == RX_DATE_INVALID &&
            (before_is(all, x->start, eff_before) ||
             (before_is(all, x->start, from_word) && after_is(after, eff_after)))) {
            eff = x->days;
            /* 有效期为 2024年1月1日至2025年12月31日 */
            if (h + 1 < nh && hits[h + 1].start >= x->end && hits[h + 1].start - x->end <= 3 &&
                before_is(all, hits[h + 1].start, until_before))
                exp = hits[h + 1].days;
            continue;
        }
        if (exp == RX_DATE_INVALID &&
            (before_is(all, x->start, exp_before) ||
             (before_is(all, x->start, until_before) && after_is(after, until_after))))
            exp = x->days;
        if (x->start >= tail_from)
            signed_on = x->days; /* the last date of the signature (落款) */
    }
    bool on_issue = strstr(all, "自印发之日起") || strstr(all, "自发布之日起") ||
                    strstr(all, "自公布之日起") || strstr(all, "自下发之日起");
    if (eff == RX_DATE_INVALID && signed_on != RX_DATE_INVALID && on_issue)
        eff = signed_on;
    if (eff == RX_DATE_INVALID)
        eff = signed_on;
    if (eff != RX_DATE_INVALID)
        set_date(d->effective, eff);
    int years = validity_years(all);
    if (exp == RX_DATE_INVALID && years && eff != RX_DATE_INVALID)
        exp = plus_years_minus_day(eff, years);
    if (exp != RX_DATE_INVALID && (eff == RX_DATE_INVALID || exp >= eff))
        set_date(d->expires, exp);
}

/* ---- type */

static const char *guess_type(const char *title)
{
    static const char *const guide[] = {"指南", "须知",       "指引",     "流程",     "问答",
                                        "手册", "一次性告知", "服务清单", "办理指导", NULL};
    static const char *const policy[] = {"办法", "规定", "条例", "细则", "规则", "实施意见",
                                         "标准", "制度", "方案", "意见", NULL};
    static const char *const notice[] = {"通知", "公告", "通告", "公示", "提醒", "告知书", NULL};
    for (const char *const *w = guide; *w; w++)
        if (strstr(title, *w))
            return "guide";
    for (const char *const *w = policy; *w; w++)
        if (strstr(title, *w))
            return "policy";
    for (const char *const *w = notice; *w; w++)
        if (strstr(title, *w))
            return "notice";
    return "policy";
}

/* ---- tags */

typedef struct {
    const char *text;
    size_t group[256];
    unsigned weight[256];
    size_t start[256], len[256];
    size_t n;
    unsigned w;
} tag_tally;

static void on_term(void *ctx, size_t group, size_t start, size_t len)
{
    tag_tally *t = ctx;
    for (size_t k = 0; k < t->n; k++)
        if (t->group[k] == group) {
            t->weight[k] += t->w;
            return;
        }
    if (t->n == 256 || t->w == 0)
        return;
    t->group[t->n] = group;
    t->weight[t->n] = t->w;
    t->start[t->n] = start;
    t->len[t->n] = len;
    t->n++;
}

static void guess_tags(rx_import_draft *d, const rx_synonyms *syn, const char *title,
                       const char *body)
{
    if (!syn)
        return;
    char *nt = NULL, *nb = NULL;
    size_t ntl, nbl;
    if (rx_text_normalize(&nt, &ntl, title, strlen(title)) != RX_OK ||
        rx_text_normalize(&nb, &nbl, body, strlen(body)) != RX_OK) {
        free(nt);
        free(nb);
        return;
    }
    tag_tally *t = calloc(1, sizeof *t);
    if (!t) {
        free(nt);
        free(nb);
        return;
    }
    /* terms of the title count three times, and only they may start a
     * tag's life: the body's own terms then add to them, or stand alone
     * when they come back often */
    t->w = 3;
    rx_synonyms_scan(syn, nt, ntl, on_term, t);
    size_t from_title = t->n;
    t->w = 1;
    rx_synonyms_scan(syn, nb, nbl, on_term, t);
    d->tags = calloc(5, sizeof *d->tags);
    for (size_t round = 0; round < 5 && d->tags; round++) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < t->n; k++) {
            if (!t->weight[k] || (k >= from_title && t->weight[k] < 3) || t->len[k] < 6)
                continue;
            if (best == SIZE_MAX || t->weight[k] > t->weight[best])
                best = k;
        }
        if (best == SIZE_MAX)
            break;
        size_t gn;
        const char *const *terms = rx_synonyms_group(syn, t->group[best], &gn);
        /* the word as the document says it */
        const char *src = best < from_title ? nt : nb;
        char *tag = strndup(src + t->start[best], t->len[best]);
        (void)terms;
        /* the city's own name tags everything */
        if (tag && (!strcmp(tag, "株洲市") || !strcmp(tag, "株洲") || !strcmp(tag, "湖南省"))) {
            free(tag);
            tag = NULL;
            t->weight[best] = 0;
            round--;
            continue;
        }
        bool dup = false;
        for (size_t k = 0; tag && k < d->ntags; k++)
            /* only non-NULL tags are stored;
             * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
            dup = dup || !strcmp(d->tags[k], tag);
        if (tag && !dup)
            d->tags[d->ntags++] = tag;
        else
            free(tag);
        t->weight[best] = 0;
    }
    free(t);
    free(nt);
    free(nb);
}

/* ---- the whole */

int rx_import_guess(rx_import_draft *d, guess_info *info, const blk_list *b,
                    const rx_departments *deps, const rx_synonyms *syn, const rx_import_opts *o,
                    const char *file)
{
    int rc = RX_OK;
    size_t n = b->n;
    size_t look = n < 12 ? n : 12;
    info->title = SIZE_MAX;
    info->letterhead = SIZE_MAX;
    char **sq = calloc(n + 1, sizeof *sq);
    if (!sq)
        return rx_error_set(RX_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!(sq[i] = squeeze(b->items[i].text))) {
            rc = rx_error_set(RX_ENOMEM, "out of memory");
            goto done;
        }
    /* 文号 near the top */
    for (size_t i = 0; i < look && !d->docno; i++)
        d->docno = rx_import_find_docno(b->items[i].text);
    /* the letterhead (文头), and a page header above it on one page */
    bool head[4] = {false};
    for (size_t i = 0; i < look && i < 4; i++)
        if (b->items[i].kind != BLK_ROW && letterhead(deps, sq[i])) {
            head[i] = true;
            if (info->letterhead == SIZE_MAX || ends_with(sq[i], "文件"))
                info->letterhead = i;
        }
    /* the title: styled as one; else the largest type near the top; else
     * the first short paragraph */
    double body_size = 0;
    {
        size_t best_n = 0;
        for (size_t i = 0; i < n; i++) {
            size_t cnt = 0;
            for (size_t j = 0; j < n; j++)
                if (b->items[j].size == b->items[i].size)
                    cnt += strlen(b->items[j].text);
            if (cnt > best_n) {
                best_n = cnt;
                body_size = b->items[i].size;
            }
        }
    }
    size_t title = SIZE_MAX;
    for (size_t i = 0; i < look && title == SIZE_MAX; i++)
        if (b->items[i].title_style && !(i < 4 && head[i]))
            title = i;
    double best = 0;
    for (size_t i = 0; i < look && title == SIZE_MAX; i++) {
        const blk *x = &b->items[i];
        if ((i < 4 && head[i]) || x->kind == BLK_ROW || x->kind == BLK_ITEM)
            continue;
        if (d->docno && strstr(sq[i], d->docno) && strlen(sq[i]) < strlen(d->docno) + 30)
            continue;
        bool big = x->size > body_size + 0.5 || (x->kind == BLK_HEADING && x->level == 1);
        if (big && x->size > best + 0.5 && strlen(sq[i]) < 300)
            best = x->size;
    }
    for (size_t i = 0; i < look && title == SIZE_MAX && best > 0; i++) {
        const blk *x = &b->items[i];
        if ((i < 4 && head[i]) || x->kind == BLK_ROW || x->kind == BLK_ITEM)
            continue;
        if (d->docno && strstr(sq[i], d->docno) && strlen(sq[i]) < strlen(d->docno) + 30)
            continue;
        if (x->size > best - 0.5 && strlen(sq[i]) < 300)
            title = i;
    }
    for (size_t i = 0; i < look && title == SIZE_MAX; i++) {
        const blk *x = &b->items[i];
        if ((i < 4 && head[i]) || x->kind == BLK_ROW || x->kind == BLK_ITEM)
            continue;
        if (d->docno && strstr(sq[i], d->docno))
            continue;
        long days;
        if (strlen(sq[i]) < 180 && !date_at(sq[i], &days))
            title = i;
    }
    info->title = title;
    if (title != SIZE_MAX) {
        d->title = strdup(b->items[title].text);
    } else {
        /* the file's name without its extension */
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        const char *dot = strrchr(base, '.');
        d->title = strndup(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
    }
    d->guessed |= RX_GUESS_TITLE;

    /* the department: given, else the letterhead, the page headers, the
     * title, the signature, the top, the whole */
    if (o && o->department) {
        const char *c = deps ? rx_departments_canonical(deps, o->department) : o->department;
        if (!c) {
            rc = rx_fail(RX_EVALUE, "unknown_department",
                         "部门“%s”不在 departments.txt 中（规范名称或别称）", o->department);
            goto done;
        }
        d->department = strdup(c);
    } else {
        const char *dep = NULL;
        if (info->letterhead != SIZE_MAX)
            dep = find_department(deps, sq[info->letterhead], NULL);
        char *t = d->title ? squeeze(d->title) : NULL;
        if (!dep && t)
            dep = find_department(deps, t, NULL);
        free(t);
        for (size_t i = n; i > 0 && i + 8 > n && !dep; i--)
            if (strlen(sq[i - 1]) < 120)
                dep = find_department(deps, sq[i - 1], NULL);
        if (!dep && b->margin.data) { /* page headers, or a site's footer */
            char *m = squeeze(b->margin.data);
            dep = m ? find_department(deps, m, NULL) : NULL;
            free(m);
        }
        for (size_t i = 0; i < n && !dep; i++)
            dep = find_department(deps, sq[i], NULL);
        if (dep) {
            d->department = strdup(dep);
            d->guessed |= RX_GUESS_DEPARTMENT;
        }
    }
    if (o && o->type) {
        if (strcmp(o->type, "policy") != 0 && strcmp(o->type, "guide") != 0 &&
            strcmp(o->type, "notice") != 0) {
            rc = rx_fail(RX_EVALUE, "invalid_type", "类型“%s”无效：应为 policy、guide 或 notice",
                         o->type);
            goto done;
        }
        d->type = strdup(o->type);
    } else {
        d->type = strdup(guess_type(d->title ? d->title : ""));
        d->guessed |= RX_GUESS_TYPE;
    }

    /* dates over the whole text; the signature is the last few blocks */
    rx_buf all = {0};
    size_t tail_from = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 6 == n || (n < 6 && i == 0))
            tail_from = all.len;
        rx_buf_puts(&all, sq[i]);
        rx_buf_putc(&all, '\n');
    }
    guess_dates(d, all.data ? all.data : "", tail_from);
    rx_buf_free(&all);
    if (!d->effective[0] && o && o->today &&
        rx_date_parse(o->today, strlen(o->today)) != RX_DATE_INVALID)
        memcpy(d->effective, o->today, 11);
    if (!d->effective[0])
        rx_date_format(d->effective, rx_date_today());
    d->guessed |= RX_GUESS_EFFECTIVE;
    if (d->expires[0])
        d->guessed |= RX_GUESS_EXPIRES;

    rx_buf text = {0};
    for (size_t i = 0; i < n; i++) {
        rx_buf_puts(&text, b->items[i].text);
        rx_buf_putc(&text, '\n');
    }
    guess_tags(d, syn, d->title ? d->title : "", text.data ? text.data : "");
    rx_buf_free(&text);
    if (d->ntags)
        d->guessed |= RX_GUESS_TAGS;
    if (!d->title || !d->type)
        rc = rx_error_set(RX_ENOMEM, "out of memory");
done:
    for (size_t i = 0; i < n; i++)
        free(sq[i]);
    free(sq);
    return rc;
}
