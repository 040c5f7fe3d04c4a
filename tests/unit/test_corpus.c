/* Unit tests of the corpus readers (include/rexian/corpus.h): Markdown
 * documents with front matter, FAQ CSV files, departments.txt and
 * calendar.txt, as DESIGN.md "Corpus format" fixes them. Every rejection is
 * checked for its outcome, the line it names and a key word of its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static const char departments_txt[] = "# canonical name first, then aliases\n"
                                      "市住房和城乡建设局 住建局 市住建局\n"
                                      "\n"
                                      "市公安局，公安局\n"
                                      "市医疗保障局 医保局\n";

static rx_departments *load_departments(void)
{
    rx_departments *d = NULL;
    rx_diags g = {0};
    assert_int_equal(
        rx_departments_parse(&d, "departments.txt", departments_txt, strlen(departments_txt), &g),
        RX_OK);
    assert_int_equal(g.n, 0);
    assert_non_null(d);
    rx_diags_free(&g);
    return d;
}

/* Asserts that diagnostic k exists, names path and line, and that its reason
 * contains word. */
static void check_diag(const rx_diags *g, size_t k, const char *path, size_t line, const char *word)
{
    if (g->n <= k)
        fail_msg("expected diagnostic %zu (line %zu, '%s'), got only %zu", k, line, word, g->n);
    const rx_diag *x = &g->items[k];
    if (x->line != line || strstr(x->reason, word) == NULL || strcmp(x->path, path) != 0)
        fail_msg("diagnostic %zu is %s:%zu: %s; expected %s:%zu with '%s'", k, x->path, x->line,
                 x->reason, path, line, word);
}

static void doc_is_cleared(const rx_doc *d)
{
    assert_null(d->id);
    assert_null(d->title);
    assert_null(d->department);
    assert_null(d->type);
    assert_null(d->tags);
    assert_int_equal(d->ntags, 0);
    assert_null(d->body);
    assert_null(d->path);
}

/* Parses text as a Markdown document and asserts exactly one rejection at
 * line with word in its reason. */
static void md_rejects_with(const char *text, size_t len, const rx_departments *deps, size_t line,
                            const char *word)
{
    rx_doc d;
    rx_diags g = {0};
    int rc = rx_md_parse(&d, "zjj/doc.md", text, len, deps, &g);
    if (rc != RX_EINVALID)
        fail_msg("expected RX_EINVALID for a document that should fail with '%s', got %d", word,
                 rc);
    assert_int_equal(g.n, 1);
    check_diag(&g, 0, "zjj/doc.md", line, word);
    doc_is_cleared(&d);
    rx_diags_free(&g);
}

static void md_rejects(const char *text, size_t line, const char *word)
{
    md_rejects_with(text, strlen(text), NULL, line, word);
}

/* Parses text that must be accepted; the caller clears *d. */
static void md_accepts(rx_doc *d, const char *text, size_t len, const rx_departments *deps)
{
    rx_diags g = {0};
    int rc = rx_md_parse(d, "zjj/doc.md", text, len, deps, &g);
    if (rc != RX_OK || g.n != 0)
        fail_msg("expected the document to be accepted, got rc %d and %zu diagnostics (%s)", rc,
                 g.n, g.n ? g.items[0].reason : "");
    rx_diags_free(&g);
}

/* A front matter with every key, line numbers as in the comments. */
#define FM_FULL                                                                                    \
    "---\n"                                   /* 1 */                                              \
    "id: zjj-2024-003\n"                      /* 2 */                                              \
    "title: 株洲市住宅装修施工时段管理规定\n" /* 3 */                                              \
    "department: 住建局\n"                    /* 4 */                                              \
    "type: policy\n"                          /* 5 */                                              \
    "tags: [装修, 噪声, 施工时间]\n"          /* 6 */                                              \
    "effective: 2024-03-01\n"                 /* 7 */                                              \
    "expires: 2026-12-31\n"                   /* 8 */                                              \
    "---\n"                                   /* 9 */

/* Minimal valid front matter lines 2..6, closing line 7. */
#define FM_ID "id: doc-1\n"
#define FM_TITLE "title: 标题\n"
#define FM_DEPT "department: 市公安局\n"
#define FM_TYPE "type: guide\n"
#define FM_EFF "effective: 2025-01-01\n"

/* ---- Markdown: accepted documents ---- */

static void md_valid_document_all_fields(void **state)
{
    (void)state;
    rx_departments *deps = load_departments();
    const char text[] = FM_FULL "# 施工时段\n\n工作日 8:00 至 12:00。\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), deps);
    assert_string_equal(d.id, "zjj-2024-003");
    assert_string_equal(d.title, "株洲市住宅装修施工时段管理规定");
    /* the alias 住建局 is stored under its canonical name */
    assert_string_equal(d.department, "市住房和城乡建设局");
    assert_string_equal(d.type, "policy");
    assert_int_equal(d.ntags, 3);
    assert_string_equal(d.tags[0], "装修");
    assert_string_equal(d.tags[1], "噪声");
    assert_string_equal(d.tags[2], "施工时间");
    assert_string_equal(d.effective, "2024-03-01");
    assert_string_equal(d.expires, "2026-12-31");
    assert_string_equal(d.body, "# 施工时段\n\n工作日 8:00 至 12:00。\n");
    assert_string_equal(d.path, "zjj/doc.md");
    assert_int_equal(d.line, 1);
    rx_doc_clear(&d);
    doc_is_cleared(&d);
    rx_departments_free(deps);
}

static void md_design_example_with_comments(void **state)
{
    (void)state;
    /* the example of DESIGN.md, YAML comments included; no expires */
    const char text[] = "---\n"
                        "id: zjj-2024-003\n"
                        "title: 株洲市住宅装修施工时段管理规定\n"
                        "department: 市住房和城乡建设局\n"
                        "type: notice            # policy | guide | notice\n"
                        "tags: [装修, 噪声, 施工时间]\n"
                        "effective: 2024-03-01\n"
                        "---\n"
                        "Markdown body …\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.type, "notice");
    assert_string_equal(d.department, "市住房和城乡建设局");
    assert_string_equal(d.expires, "");
    assert_string_equal(d.body, "Markdown body …\n");
    rx_doc_clear(&d);
}

static void md_canonical_name_and_other_alias(void **state)
{
    (void)state;
    rx_departments *deps = load_departments();
    const char canon[] =
        "---\n" FM_ID FM_TITLE "department: 市住房和城乡建设局\n" FM_TYPE FM_EFF "---\n正文\n";
    const char alias[] =
        "---\n" FM_ID FM_TITLE "department: 市住建局\n" FM_TYPE FM_EFF "---\n正文\n";
    rx_doc d;
    md_accepts(&d, canon, strlen(canon), deps);
    assert_string_equal(d.department, "市住房和城乡建设局");
    rx_doc_clear(&d);
    md_accepts(&d, alias, strlen(alias), deps);
    assert_string_equal(d.department, "市住房和城乡建设局");
    rx_doc_clear(&d);
    rx_departments_free(deps);
}

static void md_any_department_without_list(void **state)
{
    (void)state;
    const char text[] =
        "---\n" FM_ID FM_TITLE "department: 某个新部门\n" FM_TYPE FM_EFF "---\n正文\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.department, "某个新部门");
    rx_doc_clear(&d);
}

static void md_bom_accepted(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBF---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.id, "doc-1");
    assert_string_equal(d.body, "正文\n");
    rx_doc_clear(&d);
}

static void md_crlf_accepted(void **state)
{
    (void)state;
    const char text[] = "---\r\nid: doc-1\r\ntitle: 标题\r\ndepartment: 市公安局\r\n"
                        "type: guide\r\ntags: [a, b]\r\neffective: 2025-01-01\r\n---\r\n"
                        "第一行\r\n第二行\r\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.id, "doc-1");
    assert_string_equal(d.title, "标题");
    assert_string_equal(d.type, "guide");
    assert_int_equal(d.ntags, 2);
    assert_string_equal(d.tags[1], "b");
    assert_string_equal(d.effective, "2025-01-01");
    assert_string_equal(d.body, "第一行\n第二行\n");
    rx_doc_clear(&d);
}

static void md_crlf_keeps_line_numbers(void **state)
{
    (void)state;
    const char text[] = "---\r\nid: doc-1\r\ntitle: 标题\r\nauthor: 张三\r\n"
                        "department: 市公安局\r\ntype: guide\r\neffective: 2025-01-01\r\n---\r\n"
                        "正文\r\n";
    md_rejects(text, 4, "未知的键“author”");
}

static void md_numeric_tags_stay_strings(void **state)
{
    (void)state;
    const char text[] =
        "---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "tags: [2024, 007, 1.50, true, 12345]\n"
        "---\n正文\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_int_equal(d.ntags, 5);
    /* written as they are: no numeric or boolean conversion */
    assert_string_equal(d.tags[0], "2024");
    assert_string_equal(d.tags[1], "007");
    assert_string_equal(d.tags[2], "1.50");
    assert_string_equal(d.tags[3], "true");
    assert_string_equal(d.tags[4], "12345");
    rx_doc_clear(&d);

    const char one[] = "---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "tags: 2024\n---\n正文\n";
    md_accepts(&d, one, strlen(one), NULL);
    assert_int_equal(d.ntags, 1);
    assert_string_equal(d.tags[0], "2024");
    rx_doc_clear(&d);
}

static void md_leap_day_and_same_day_expiry(void **state)
{
    (void)state;
    const char text[] = "---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE
                        "effective: 2024-02-29\nexpires: 2024-02-29\n---\n正文\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.effective, "2024-02-29");
    assert_string_equal(d.expires, "2024-02-29");
    rx_doc_clear(&d);
}

static void md_effective_before_1970(void **state)
{
    (void)state;
    /* Regression test (a bug found and fixed): rx_date_parse documents years 1900..2999 as valid
     * but returns days since 1970, negative before it, and rx_md_parse treats any negative day as
     * invalid: a regulation effective 1958-01-09 (户口登记条例) is rejected with "'1958-01-09' is
     * not a valid date". */
    const char text[] = "---\n" FM_ID "title: 中华人民共和国户口登记条例\n" FM_DEPT FM_TYPE
                        "effective: 1958-01-09\n---\n正文\n";
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.effective, "1958-01-09");
    rx_doc_clear(&d);
}

static void md_ten_megabyte_body(void **state)
{
    (void)state;
    const char fm[] = "---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n";
    const size_t body_len = 10u * 1024 * 1024;
    size_t fm_len = strlen(fm);
    char *text = malloc(fm_len + body_len);
    assert_non_null(text);
    memcpy(text, fm, fm_len);
    /* lines of "住房公积金提取说明 0123456789\n" (3 * 9 + 12 = 39 bytes each) */
    static const char line[] = "住房公积金提取说明 0123456789\n";
    size_t ll = strlen(line), pos = 0;
    while (pos + ll <= body_len) {
        memcpy(text + fm_len + pos, line, ll);
        pos += ll;
    }
    memset(text + fm_len + pos, 'x', body_len - pos);
    rx_doc d;
    md_accepts(&d, text, fm_len + body_len, NULL);
    assert_int_equal(strlen(d.body), body_len);
    assert_memory_equal(d.body, text + fm_len, body_len);
    rx_doc_clear(&d);
    free(text);
}

/* ---- Markdown: rejected documents ---- */

static void md_missing_front_matter(void **state)
{
    (void)state;
    md_rejects("# 标题\n\n正文\n", 1, "缺少前置元数据");
    /* front matter that does not start on the first line */
    md_rejects("\n---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 1, "缺少前置元数据");
}

static void md_unclosed_front_matter(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "\n正文\n", 1, "没有以“---”行结束");
    /* a line starting with --- but carrying more text does not close it */
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "--- 正文\n", 1, "没有以“---”行结束");
}

static void md_yaml_syntax_error(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID "title: a: b\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3,
               "不是合法的 YAML");
    /* an unterminated quoted scalar */
    md_rejects("---\n" FM_ID FM_TITLE "department: \"市公安局\n" FM_TYPE FM_EFF "---\n正文\n", 7,
               "不是合法的 YAML");
}

static void md_front_matter_not_a_mapping(void **state)
{
    (void)state;
    md_rejects("---\n- id\n- title\n---\n正文\n", 2, "键: 值");
    md_rejects("---\n---\n正文\n", 2, "为空");
}

static void md_unknown_key(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE "author: 张三\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 4,
               "未知的键“author”");
    /* keys are case-sensitive */
    md_rejects("---\n" FM_ID "Title: 标题\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3,
               "未知的键“Title”");
}

static void md_duplicate_key(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT "title: 另一个标题\n" FM_TYPE FM_EFF "---\n正文\n", 5,
               "键“title”重复");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "tags: [a]\ntags: [b]\n---\n正文\n", 8,
               "键“tags”重复");
}

static void md_each_missing_required_key(void **state)
{
    (void)state;
    static const char *const keys[] = {"id", "title", "department", "type", "effective"};
    static const char *const lines[] = {FM_ID, FM_TITLE, FM_DEPT, FM_TYPE, FM_EFF};
    for (size_t skip = 0; skip < 5; skip++) {
        char text[512] = "---\n";
        for (size_t k = 0; k < 5; k++)
            if (k != skip)
                strcat(text, lines[k]);
        strcat(text, "tags: [a]\n---\n正文\n");
        char want[64];
        snprintf(want, sizeof want, "缺少必填的键“%s”", keys[skip]);
        md_rejects(text, 1, want);
    }
}

static void md_empty_required_value(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID "title:   \n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3, "“title”为空");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "expires:\n---\n正文\n", 7,
               "“expires”为空");
}

static void md_value_must_be_scalar(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID "title: [a, b]\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3, "单个值");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "tags: {a: b}\n---\n正文\n", 7,
               "tags 必须是列表");
}

static void md_bad_id_uppercase(void **state)
{
    (void)state;
    md_rejects("---\nid: ZJJ-2024-003\n" FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 2,
               "id“ZJJ-2024-003”不合法");
}

static void md_bad_id_path_like(void **state)
{
    (void)state;
    md_rejects("---\nid: ../x\n" FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 2,
               "id“../x”不合法");
    md_rejects("---\n" FM_TITLE "id: zjj/doc\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3, "不合法");
}

static void md_bad_id_too_long(void **state)
{
    (void)state;
    char id64[RX_MAX_ID_LEN + 1], text[512];
    memset(id64, 'a', RX_MAX_ID_LEN);
    id64[RX_MAX_ID_LEN] = '\0';
    /* 64 characters: the longest id accepted */
    snprintf(text, sizeof text, "---\nid: %s\n" FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n",
             id64);
    rx_doc d;
    md_accepts(&d, text, strlen(text), NULL);
    assert_string_equal(d.id, id64);
    rx_doc_clear(&d);
    /* 65 characters */
    snprintf(text, sizeof text, "---\nid: %sb\n" FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n",
             id64);
    md_rejects(text, 2, "不合法");
}

static void md_unknown_type(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT "type: faq\n" FM_EFF "---\n正文\n", 5,
               "未知类型“faq”");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT "type: Policy\n" FM_EFF "---\n正文\n", 5,
               "未知类型“Policy”");
}

static void md_invalid_dates(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE "effective: 2026-02-30\n---\n正文\n", 6,
               "“2026-02-30”不是有效日期");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE "effective: 2026-13-01\n---\n正文\n", 6,
               "“2026-13-01”不是有效日期");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE "effective: tomorrow\n---\n正文\n", 6,
               "“tomorrow”不是有效日期");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE "effective: 2023-02-29\n---\n正文\n", 6,
               "不是有效日期");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE "effective: 2026-1-5\n---\n正文\n", 6,
               "不是有效日期");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "expires: tomorrow\n---\n正文\n", 7,
               "expires“tomorrow”不是有效日期");
}

static void md_expires_before_effective(void **state)
{
    (void)state;
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE
               "effective: 2025-06-01\nexpires: 2025-05-31\n---\n正文\n",
               1, "失效日期 expires 2025-05-31 早于生效日期 effective 2025-06-01");
}

static void md_unknown_department(void **state)
{
    (void)state;
    rx_departments *deps = load_departments();
    const char text[] =
        "---\n" FM_ID FM_TITLE "department: 市不存在局\n" FM_TYPE FM_EFF "---\n正文\n";
    md_rejects_with(text, strlen(text), deps, 4, "部门“市不存在局”");
    rx_departments_free(deps);
}

static void md_empty_body(void **state)
{
    (void)state;
    /* the closing --- is line 7 */
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n", 7, "正文为空");
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n  \n\t\n\n", 7, "正文为空");
}

static void md_empty_file(void **state)
{
    (void)state;
    md_rejects_with("", 0, NULL, 1, "文件为空");
}

static void md_invalid_utf8(void **state)
{
    (void)state;
    /* a stray byte on line 10, in the body */
    md_rejects("---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正文\n第二行\n坏\xff字节\n", 10,
               "不是合法的 UTF-8");
    /* a truncated character in the title, line 3 */
    md_rejects("---\n" FM_ID "title: 标\xe9\xa2\n" FM_DEPT FM_TYPE FM_EFF "---\n正文\n", 3,
               "不是合法的 UTF-8");
    /* an overlong '/' on line 2 of a CRLF file with a BOM */
    md_rejects("\xEF\xBB\xBF---\r\nid: a\xc0\xaf\r\n", 2, "不是合法的 UTF-8");
    /* NUL is not accepted either */
    const char nul[] = "---\n" FM_ID FM_TITLE FM_DEPT FM_TYPE FM_EFF "---\n正\0文\n";
    md_rejects_with(nul, sizeof nul - 1, NULL, 8, "不是合法的 UTF-8");
}

/* ---- ids ---- */

static void id_rules(void **state)
{
    (void)state;
    assert_true(rx_id_valid("zjj-2024-003"));
    assert_true(rx_id_valid("a"));
    assert_true(rx_id_valid("0-9"));
    assert_false(rx_id_valid(""));
    assert_false(rx_id_valid("Zjj"));
    assert_false(rx_id_valid("../x"));
    assert_false(rx_id_valid("a_b"));
    assert_false(rx_id_valid("a.b"));
    assert_false(rx_id_valid("a b"));
    assert_false(rx_id_valid("公告"));
    char id[RX_MAX_ID_LEN + 2];
    memset(id, 'z', sizeof id);
    id[RX_MAX_ID_LEN] = '\0';
    assert_true(rx_id_valid(id));
    id[RX_MAX_ID_LEN] = 'z';
    id[RX_MAX_ID_LEN + 1] = '\0';
    assert_false(rx_id_valid(id));
}

/* ---- FAQ CSV ---- */

static void free_docs(rx_doc *docs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        rx_doc_clear(&docs[k]);
    free(docs);
}

typedef struct {
    rx_doc *docs;
    size_t n;
    int rc;
    rx_diags g;
} faq_result;

static faq_result faq(const char *text, size_t len, const rx_departments *deps)
{
    faq_result r = {0};
    r.rc = rx_faq_parse(&r.docs, &r.n, "faq/常见问题.csv", text, len, deps, &r.g);
    return r;
}

static void faq_free(faq_result *r)
{
    free_docs(r->docs, r->n);
    rx_diags_free(&r->g);
}

#define FAQ_HEADER "id,question,answer,department,tags\n"
#define FAQ_PATH "faq/常见问题.csv"

static void faq_valid_rows_quotes_and_newlines(void **state)
{
    (void)state;
    rx_departments *deps = load_departments();
    const char text[] = FAQ_HEADER                                         /* 1 */
        "faq-1,\"装修噪声, 几点以后算扰民?\",\"第一行\n"                   /* 2 */
        "第二行有\"\"引号\"\"\n"                                           /* 3 */
        "第三行, 有逗号\",住建局,装修;噪声\n"                              /* 4 */
        "faq-2,医保怎么备案?,在线办理。,市医疗保障局,\n"                   /* 5 */
        "\n"                                                               /* 6 */
        "faq-3, 异地就医 , \"  留白会去掉  \" , 医保局 , 异地 ; 就医 ;\n"; /* 7 */
    faq_result r = faq(text, strlen(text), deps);
    assert_int_equal(r.rc, RX_OK);
    assert_int_equal(r.g.n, 0);
    assert_int_equal(r.n, 3);

    rx_doc *d = &r.docs[0];
    assert_string_equal(d->id, "faq-1");
    assert_string_equal(d->title, "装修噪声, 几点以后算扰民?");
    assert_string_equal(d->body, "第一行\n第二行有\"引号\"\n第三行, 有逗号");
    assert_string_equal(d->department, "市住房和城乡建设局");
    assert_string_equal(d->type, "faq");
    assert_string_equal(d->effective, "");
    assert_string_equal(d->expires, "");
    assert_int_equal(d->ntags, 2);
    assert_string_equal(d->tags[0], "装修");
    assert_string_equal(d->tags[1], "噪声");
    assert_string_equal(d->path, FAQ_PATH);
    assert_int_equal(d->line, 2);

    d = &r.docs[1];
    assert_string_equal(d->id, "faq-2");
    assert_string_equal(d->title, "医保怎么备案?");
    assert_string_equal(d->body, "在线办理。");
    assert_string_equal(d->department, "市医疗保障局");
    assert_int_equal(d->ntags, 0);
    assert_int_equal(d->line, 5);

    d = &r.docs[2];
    assert_string_equal(d->id, "faq-3");
    assert_string_equal(d->title, "异地就医");
    assert_string_equal(d->body, "留白会去掉");
    assert_string_equal(d->department, "市医疗保障局");
    assert_int_equal(d->ntags, 2);
    assert_string_equal(d->tags[0], "异地");
    assert_string_equal(d->tags[1], "就医");
    assert_int_equal(d->line, 7);
    faq_free(&r);
    rx_departments_free(deps);
}

static void faq_tags_split_on_semicolons(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER "faq-1,问题,答案,市公安局,\"户籍; 居住证;;2024 ; a,b \"\n";
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.docs[0].ntags, 4);
    assert_string_equal(r.docs[0].tags[0], "户籍");
    assert_string_equal(r.docs[0].tags[1], "居住证");
    assert_string_equal(r.docs[0].tags[2], "2024");
    assert_string_equal(r.docs[0].tags[3], "a,b");
    faq_free(&r);
}

static void faq_bad_header(void **state)
{
    (void)state;
    const char text[] = "id,question,answer,dept,tags\nfaq-1,问题,答案,市公安局,\n";
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_EINVALID);
    assert_int_equal(r.n, 0);
    assert_null(r.docs);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 1, "表头不对");
    faq_free(&r);

    const char four[] = "id,question,answer,department\nfaq-1,问题,答案,市公安局\n";
    r = faq(four, strlen(four), NULL);
    assert_int_equal(r.rc, RX_EINVALID);
    assert_int_equal(r.n, 0);
    check_diag(&r.g, 0, FAQ_PATH, 1, "表头不对");
    faq_free(&r);
}

static void faq_wrong_field_count_rejects_only_that_row(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER                     /* 1 */
        "faq-1,问题一,答案一,市公安局,\n"              /* 2 */
        "faq-2,问题二,答案二,市公安局\n"               /* 3: 4 fields */
        "faq-3,\"问题\n三\",答案三,市公安局,a,extra\n" /* 4-5: 6 fields */
        "faq-4,问题四,答案四,市公安局,\n";             /* 6 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_OK);
    assert_int_equal(r.g.n, 2);
    check_diag(&r.g, 0, FAQ_PATH, 3, "该行有 4 个字段");
    check_diag(&r.g, 1, FAQ_PATH, 4, "该行有 6 个字段");
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[0].id, "faq-1");
    assert_int_equal(r.docs[0].line, 2);
    assert_string_equal(r.docs[1].id, "faq-4");
    assert_int_equal(r.docs[1].line, 6);
    faq_free(&r);
}

static void faq_empty_question_or_answer(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER       /* 1 */
        "faq-1,,答案,市公安局,\n"        /* 2 */
        "faq-2,问题,\"   \",市公安局,\n" /* 3 */
        "faq-3,问题,答案,市公安局,\n";   /* 4 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_OK);
    assert_int_equal(r.g.n, 2);
    check_diag(&r.g, 0, FAQ_PATH, 2, "问题为空");
    check_diag(&r.g, 1, FAQ_PATH, 3, "答案为空");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0].id, "faq-3");
    faq_free(&r);
}

static void faq_bad_id(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER     /* 1 */
        "FAQ-1,问题,答案,市公安局,\n"  /* 2 */
        "../x,问题,答案,市公安局,\n"   /* 3 */
        ",问题,答案,市公安局,\n"       /* 4 */
        "faq-4,问题,答案,市公安局,\n"; /* 5 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.g.n, 3);
    check_diag(&r.g, 0, FAQ_PATH, 2, "id“FAQ-1”不合法");
    check_diag(&r.g, 1, FAQ_PATH, 3, "id“../x”不合法");
    check_diag(&r.g, 2, FAQ_PATH, 4, "id“”不合法");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0].id, "faq-4");
    faq_free(&r);
}

static void faq_unknown_department(void **state)
{
    (void)state;
    rx_departments *deps = load_departments();
    const char text[] = FAQ_HEADER "faq-1,问题,答案,市不存在局,\nfaq-2,问题,答案,公安局,\n";
    faq_result r = faq(text, strlen(text), deps);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 2, "部门“市不存在局”");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0].id, "faq-2");
    assert_string_equal(r.docs[0].department, "市公安局");
    faq_free(&r);
    /* an empty department is rejected even without a list */
    const char empty[] = FAQ_HEADER "faq-1,问题,答案, ,\n";
    r = faq(empty, strlen(empty), NULL);
    assert_int_equal(r.n, 0);
    check_diag(&r.g, 0, FAQ_PATH, 2, "部门");
    faq_free(&r);
    rx_departments_free(deps);
}

static void faq_unterminated_quote(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER              /* 1 */
        "faq-1,问题,答案,市公安局,\n"           /* 2 */
        "faq-2,\"问题没有结束,答案,市公安局,\n" /* 3 */
        "faq-3,问题,答案,市公安局,\n";          /* 4 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 3, "引号字段没有结束");
    /* the rows before it are kept; the open quote swallows the rest */
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0].id, "faq-1");
    faq_free(&r);
}

static void faq_stray_quote_reported(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER            /* 1 */
        "faq-1,问题,答案,市公安局,\n"         /* 2 */
        "faq-2,他说\"你好\",答案,市公安局,\n" /* 3 */
        "faq-3,问题,答案,市公安局,\n";        /* 4 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 3, "CSV 格式错误");
    assert_true(r.n >= 1);
    assert_string_equal(r.docs[0].id, "faq-1");
    for (size_t k = 0; k < r.n; k++)
        assert_string_not_equal(r.docs[k].id, "faq-2");
    faq_free(&r);
}

static void faq_rows_after_stray_quote_kept(void **state)
{
    (void)state;
    /* Regression test (a bug found and fixed): corpus.h promises "Bad rows are reported and
     * skipped", but once libcsv (CSV_STRICT) fails on a stray quote in row 3, rx_faq_parse stops
     * reading the file: the good row faq-3 on line 4 is dropped without a
     * diagnostic of its own. */
    const char text[] = FAQ_HEADER "faq-1,问题,答案,市公安局,\n"
                                   "faq-2,他说\"你好\",答案,市公安局,\n"
                                   "faq-3,问题,答案,市公安局,\n";
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[1].id, "faq-3");
    assert_int_equal(r.docs[1].line, 4);
    faq_free(&r);
}

static void faq_bom_and_crlf(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBFid,question,answer,department,tags\r\n" /* 1 */
                        "faq-1,问题一,\"答案, 含逗号\",市公安局,a;b\r\n"     /* 2 */
                        "\r\n"                                               /* 3 */
                        "faq-2,问题二,答案二,市公安局,c\r\n";                /* 4 */
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_OK);
    assert_int_equal(r.g.n, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[0].id, "faq-1");
    assert_string_equal(r.docs[0].body, "答案, 含逗号");
    assert_int_equal(r.docs[0].ntags, 2);
    assert_string_equal(r.docs[0].tags[1], "b");
    assert_int_equal(r.docs[0].line, 2);
    assert_string_equal(r.docs[1].id, "faq-2");
    assert_string_equal(r.docs[1].body, "答案二");
    assert_int_equal(r.docs[1].ntags, 1);
    assert_string_equal(r.docs[1].tags[0], "c");
    assert_int_equal(r.docs[1].line, 4);
    faq_free(&r);
}

static void faq_last_row_without_newline(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER "faq-1,问题,答案,市公安局,\nfaq-2,问题,答案,市公安局";
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 3, "该行有 4 个字段");
    assert_int_equal(r.n, 1);
    faq_free(&r);
}

static void faq_invalid_utf8_and_empty(void **state)
{
    (void)state;
    const char text[] = FAQ_HEADER "faq-1,问题,答案,市公安局,\nfaq-2,问\xfe题,答案,市公安局,\n";
    faq_result r = faq(text, strlen(text), NULL);
    assert_int_equal(r.rc, RX_EINVALID);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.g.n, 1);
    check_diag(&r.g, 0, FAQ_PATH, 3, "不是合法的 UTF-8");
    faq_free(&r);

    r = faq("", 0, NULL);
    assert_int_equal(r.rc, RX_EINVALID);
    assert_int_equal(r.n, 0);
    check_diag(&r.g, 0, FAQ_PATH, 1, "文件为空");
    faq_free(&r);

    r = faq("\xEF\xBB\xBF", 3, NULL);
    assert_int_equal(r.rc, RX_EINVALID);
    check_diag(&r.g, 0, FAQ_PATH, 1, "文件为空");
    faq_free(&r);
}

/* ---- departments.txt ---- */

static void departments_aliases_resolve(void **state)
{
    (void)state;
    rx_departments *d = load_departments();
    assert_int_equal(rx_departments_count(d), 3);
    assert_string_equal(rx_departments_canonical(d, "住建局"), "市住房和城乡建设局");
    assert_string_equal(rx_departments_canonical(d, "市住建局"), "市住房和城乡建设局");
    assert_string_equal(rx_departments_canonical(d, "市住房和城乡建设局"), "市住房和城乡建设局");
    /* separated by a full-width comma */
    assert_string_equal(rx_departments_canonical(d, "公安局"), "市公安局");
    /* surrounding blanks are trimmed */
    assert_string_equal(rx_departments_canonical(d, " \t医保局 "), "市医疗保障局");
    assert_null(rx_departments_canonical(d, "住建"));
    assert_null(rx_departments_canonical(d, "市教育局"));
    assert_null(rx_departments_canonical(d, "# canonical"));

    const char *const *aliases;
    size_t n;
    assert_string_equal(rx_departments_name(d, 0, &aliases, &n), "市住房和城乡建设局");
    assert_int_equal(n, 2);
    assert_string_equal(aliases[0], "住建局");
    assert_string_equal(aliases[1], "市住建局");
    assert_string_equal(rx_departments_name(d, 1, &aliases, &n), "市公安局");
    assert_int_equal(n, 1);
    assert_string_equal(aliases[0], "公安局");
    rx_departments_free(d);
}

static void departments_alias_on_two_lines(void **state)
{
    (void)state;
    const char text[] = "市住房和城乡建设局 住建局\n"             /* 1 */
                        "# comment\n"                             /* 2 */
                        "市城市管理和综合执法局 城管局 住建局\n"; /* 3 */
    rx_departments *d = NULL;
    rx_diags g = {0};
    assert_int_equal(rx_departments_parse(&d, "departments.txt", text, strlen(text), &g), RX_OK);
    assert_int_equal(g.n, 1);
    check_diag(&g, 0, "departments.txt", 3, "“住建局”已是另一个部门的名称");
    /* the first line keeps the alias */
    assert_string_equal(rx_departments_canonical(d, "住建局"), "市住房和城乡建设局");
    assert_string_equal(rx_departments_canonical(d, "城管局"), "市城市管理和综合执法局");
    assert_int_equal(rx_departments_count(d), 2);
    size_t n;
    rx_departments_name(d, 1, NULL, &n);
    assert_int_equal(n, 1);
    rx_departments_free(d);
    rx_diags_free(&g);
}

static void departments_repeated_canonical_name(void **state)
{
    (void)state;
    /* Regression test (a bug found and fixed): a line whose canonical name already names another
     * department is reported, but its first alias then becomes the canonical name of a new, phantom
     * department: rx_departments_canonical("医保") answers "医保" (not 市医疗保障局 or NULL) and
     * the count goes up to 2. */
    const char text[] = "市医疗保障局 医保局\n市医疗保障局 医保\n";
    rx_departments *d = NULL;
    rx_diags g = {0};
    assert_int_equal(rx_departments_parse(&d, "departments.txt", text, strlen(text), &g), RX_OK);
    check_diag(&g, 0, "departments.txt", 2, "已是另一个部门的名称");
    assert_int_equal(rx_departments_count(d), 1);
    const char *c = rx_departments_canonical(d, "医保");
    assert_true(c == NULL || strcmp(c, "市医疗保障局") == 0);
    rx_departments_free(d);
    rx_diags_free(&g);
}

static void departments_invalid_utf8_line(void **state)
{
    (void)state;
    const char text[] = "市公安局 公安局\n坏\xff名字\n市民政局\n";
    rx_departments *d = NULL;
    rx_diags g = {0};
    assert_int_equal(rx_departments_parse(&d, "departments.txt", text, strlen(text), &g), RX_OK);
    assert_int_equal(g.n, 1);
    check_diag(&g, 0, "departments.txt", 2, "不是合法的 UTF-8");
    assert_int_equal(rx_departments_count(d), 2);
    assert_string_equal(rx_departments_canonical(d, "市民政局"), "市民政局");
    rx_departments_free(d);
    rx_diags_free(&g);
}

/* ---- calendar.txt ---- */

static long day_of(const char *ymd)
{
    long day = rx_date_parse(ymd, strlen(ymd));
    assert_true(day >= 0);
    return day;
}

/* 2026-01-01 is a Thursday. */
static const char calendar_txt[] = "# 2026 元旦\n"                /* 1 */
                                   "2026-01-01 holiday\n"         /* 2 */
                                   "2026-01-02 holiday  # 元旦\n" /* 3 */
                                   "2026-01-04 workday  # 调休\n" /* 4 */
                                   "\n"                           /* 5 */
                                   "2026-10-01 holiday\n";        /* 6 */

static rx_calendar *load_calendar(void)
{
    rx_calendar *c = NULL;
    rx_diags g = {0};
    assert_int_equal(rx_calendar_parse(&c, "calendar.txt", calendar_txt, strlen(calendar_txt), &g),
                     RX_OK);
    assert_int_equal(g.n, 0);
    assert_int_equal(rx_calendar_count(c), 4);
    rx_diags_free(&g);
    return c;
}

static void calendar_bad_lines(void **state)
{
    (void)state;
    const char text[] = "2026-01-01 holiday\n"       /* 1 */
                        "2026-02-30 holiday\n"       /* 2 */
                        "2026-01-05 vacation\n"      /* 3 */
                        "# 2026-01-06 nonsense\n"    /* 4 */
                        "2026-01-01 workday\n"       /* 5 */
                        "tomorrow holiday\n"         /* 6 */
                        "2026-01-07 holiday extra\n" /* 7 */
                        "2026-01-08\n"               /* 8 */
                        "2026-01-09 workday\r\n";    /* 9 */
    rx_calendar *c = NULL;
    rx_diags g = {0};
    assert_int_equal(rx_calendar_parse(&c, "calendar.txt", text, strlen(text), &g), RX_OK);
    assert_int_equal(g.n, 6);
    check_diag(&g, 0, "calendar.txt", 2, "“2026-02-30”不是有效日期");
    check_diag(&g, 1, "calendar.txt", 3, "应为“YYYY-MM-DD holiday”");
    check_diag(&g, 2, "calendar.txt", 5, "重复列出");
    check_diag(&g, 3, "calendar.txt", 6, "“tomorrow”不是有效日期");
    check_diag(&g, 4, "calendar.txt", 7, "应为");
    check_diag(&g, 5, "calendar.txt", 8, "应为");
    assert_int_equal(rx_calendar_count(c), 2);
    /* the first listing of 2026-01-01 stands */
    assert_false(rx_calendar_is_workday(c, day_of("2026-01-01")));
    rx_calendar_free(c);
    rx_diags_free(&g);
}

static void calendar_workdays(void **state)
{
    (void)state;
    rx_calendar *c = load_calendar();
    /* a plain weekday and a weekend, not listed */
    assert_true(rx_calendar_is_workday(c, day_of("2026-01-05")));  /* Monday */
    assert_true(rx_calendar_is_workday(c, day_of("2026-01-07")));  /* Wednesday */
    assert_false(rx_calendar_is_workday(c, day_of("2026-01-03"))); /* Saturday */
    assert_false(rx_calendar_is_workday(c, day_of("2026-01-11"))); /* Sunday */
    /* listed holidays on weekdays */
    assert_false(rx_calendar_is_workday(c, day_of("2026-01-01"))); /* Thursday */
    assert_false(rx_calendar_is_workday(c, day_of("2026-10-01"))); /* Thursday */
    /* a Sunday listed as an adjusted workday (调休) */
    assert_true(rx_calendar_is_workday(c, day_of("2026-01-04")));
    /* without a calendar only weekends are off; the epoch was a Thursday */
    assert_true(rx_calendar_is_workday(NULL, day_of("2026-01-01")));
    assert_false(rx_calendar_is_workday(NULL, day_of("2026-01-04")));
    assert_true(rx_calendar_is_workday(NULL, 0));
    assert_false(rx_calendar_is_workday(NULL, 2));  /* 1970-01-03 Saturday */
    assert_false(rx_calendar_is_workday(NULL, -4)); /* 1969-12-28 Sunday */
    rx_calendar_free(c);
}

static void calendar_add_workdays_across_holiday(void **state)
{
    (void)state;
    rx_calendar *c = load_calendar();
    long start = day_of("2025-12-31"); /* Wednesday */
    char out[11];
    /* Thu 1 and Fri 2 are holidays, Sat 3 is off, Sun 4 is worked */
    rx_date_format(out, rx_calendar_add_workdays(c, start, 1));
    assert_string_equal(out, "2026-01-04");
    rx_date_format(out, rx_calendar_add_workdays(c, start, 2));
    assert_string_equal(out, "2026-01-05");
    rx_date_format(out, rx_calendar_add_workdays(c, start, 5));
    assert_string_equal(out, "2026-01-08");
    /* the same count without the calendar */
    rx_date_format(out, rx_calendar_add_workdays(NULL, start, 1));
    assert_string_equal(out, "2026-01-01");
    rx_date_format(out, rx_calendar_add_workdays(NULL, start, 3));
    assert_string_equal(out, "2026-01-05");
    /* the start day itself is not counted */
    assert_int_equal(rx_calendar_add_workdays(c, start, 0), start);
    /* Friday plus one working day is the next Monday */
    rx_date_format(out, rx_calendar_add_workdays(c, day_of("2026-01-09"), 1));
    assert_string_equal(out, "2026-01-12");
    rx_calendar_free(c);
}

/* ---- diagnostics ---- */

static void diags_collect_in_order(void **state)
{
    (void)state;
    rx_diags g = {0};
    for (size_t k = 0; k < 40; k++)
        rx_diags_add(&g, "a.md", k + 1, "problem %zu of %s", k, "a.md");
    assert_int_equal(g.n, 40);
    check_diag(&g, 0, "a.md", 1, "problem 0 of a.md");
    check_diag(&g, 39, "a.md", 40, "problem 39 of a.md");
    rx_diags_free(&g);
    assert_int_equal(g.n, 0);
    assert_null(g.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md_valid_document_all_fields),
        cmocka_unit_test(md_design_example_with_comments),
        cmocka_unit_test(md_canonical_name_and_other_alias),
        cmocka_unit_test(md_any_department_without_list),
        cmocka_unit_test(md_bom_accepted),
        cmocka_unit_test(md_crlf_accepted),
        cmocka_unit_test(md_crlf_keeps_line_numbers),
        cmocka_unit_test(md_numeric_tags_stay_strings),
        cmocka_unit_test(md_leap_day_and_same_day_expiry),
        cmocka_unit_test(md_effective_before_1970),
        cmocka_unit_test(md_ten_megabyte_body),
        cmocka_unit_test(md_missing_front_matter),
        cmocka_unit_test(md_unclosed_front_matter),
        cmocka_unit_test(md_yaml_syntax_error),
        cmocka_unit_test(md_front_matter_not_a_mapping),
        cmocka_unit_test(md_unknown_key),
        cmocka_unit_test(md_duplicate_key),
        cmocka_unit_test(md_each_missing_required_key),
        cmocka_unit_test(md_empty_required_value),
        cmocka_unit_test(md_value_must_be_scalar),
        cmocka_unit_test(md_bad_id_uppercase),
        cmocka_unit_test(md_bad_id_path_like),
        cmocka_unit_test(md_bad_id_too_long),
        cmocka_unit_test(md_unknown_type),
        cmocka_unit_test(md_invalid_dates),
        cmocka_unit_test(md_expires_before_effective),
        cmocka_unit_test(md_unknown_department),
        cmocka_unit_test(md_empty_body),
        cmocka_unit_test(md_empty_file),
        cmocka_unit_test(md_invalid_utf8),
        cmocka_unit_test(id_rules),
        cmocka_unit_test(faq_valid_rows_quotes_and_newlines),
        cmocka_unit_test(faq_tags_split_on_semicolons),
        cmocka_unit_test(faq_bad_header),
        cmocka_unit_test(faq_wrong_field_count_rejects_only_that_row),
        cmocka_unit_test(faq_empty_question_or_answer),
        cmocka_unit_test(faq_bad_id),
        cmocka_unit_test(faq_unknown_department),
        cmocka_unit_test(faq_unterminated_quote),
        cmocka_unit_test(faq_stray_quote_reported),
        cmocka_unit_test(faq_rows_after_stray_quote_kept),
        cmocka_unit_test(faq_bom_and_crlf),
        cmocka_unit_test(faq_last_row_without_newline),
        cmocka_unit_test(faq_invalid_utf8_and_empty),
        cmocka_unit_test(departments_aliases_resolve),
        cmocka_unit_test(departments_alias_on_two_lines),
        cmocka_unit_test(departments_repeated_canonical_name),
        cmocka_unit_test(departments_invalid_utf8_line),
        cmocka_unit_test(calendar_bad_lines),
        cmocka_unit_test(calendar_workdays),
        cmocka_unit_test(calendar_add_workdays_across_holiday),
        cmocka_unit_test(diags_collect_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
