/* Unit tests of the knowledge-base query API over a real index built from a
 * small corpus: what the first hit covers of the query (a typo's bigram
 * counts where its homophone matches), confidence, synonyms, character
 * terms and related.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "files.h"

#include "rexian/analyzer.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char dir[64];
    rx_kb *kb;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rexian-unit-search.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    char corpus[128], zjj[160], idx[128];
    snprintf(corpus, sizeof corpus, "%s/corpus", fx->dir);
    snprintf(zjj, sizeof zjj, "%s/zjj", corpus);
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    mkdir(corpus, 0755);
    mkdir(zjj, 0755);
    write_file(corpus, "departments.txt", "市住房和城乡建设局 住建局\n市医疗保障局 医保局\n");
    write_file(corpus, "synonyms.txt", "社会保险 社保\n");
    write_file(corpus, "related.txt", "砸墙 => 装修\n");
    write_file(zjj, "zjj-1.md",
               "---\nid: zjj-1\ntitle: 住宅装修施工时段规定\ndepartment: 住建局\ntype: policy\n"
               "effective: 2024-01-01\n---\n工作日中午禁止产生噪声的装修作业，双休日全天禁止。\n");
    write_file(zjj, "zjj-2.md",
               "---\nid: zjj-2\ntitle: 社会保险关系转移办事指南\ndepartment: 医保局\ntype: guide\n"
               "effective: 2024-01-01\n---\n参保人员跨统筹地区流动就业，社会保险关系随同转移。\n");
    /* a department's text in traditional characters */
    write_file(zjj, "zjj-3.md",
               "---\nid: zjj-3\ntitle: 住宅專項維修資金使用辦法\ndepartment: 住建局\ntype: policy\n"
               "effective: 2024-01-01\n---\n電梯、屋面等共用部位維修，業主可申請使用維修資金。\n");
    rx_build_opts o = {.corpus_dir = corpus, .index_dir = idx};
    rx_build_stats st;
    rx_diags d = {0};
    assert_int_equal(rx_build(&st, &o, &d), RX_OK);
    assert_int_equal(d.n, 0);
    rx_diags_free(&d);
    assert_int_equal(rx_kb_open(&fx->kb, idx), RX_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    rx_kb_free(fx->kb);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Runs q with signals (analyzer 0: the index's own); returns the answer
 * (caller frees). */
static cJSON *ask_with(fixture *fx, const char *q, unsigned analyzer)
{
    rx_kb_query kq = {.q = q, .today = "2026-11-28", .signals = true, .analyzer = analyzer};
    cJSON *res = NULL;
    assert_int_equal(rx_kb_search(&res, fx->kb, &kq), RX_OK);
    return res;
}

static cJSON *ask(fixture *fx, const char *q)
{
    return ask_with(fx, q, 0);
}

#define NO_CHARS (RX_AN_DEFAULT & ~RX_AN_CHAR)

static const char *top_id(const cJSON *res)
{
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(res, "hits");
    const cJSON *h = cJSON_GetArrayItem(hits, 0);
    return h ? cJSON_GetObjectItemCaseSensitive(h, "id")->valuestring : "";
}

static double signal(const cJSON *res, const char *name)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(res, "signals");
    assert_non_null(s);
    return cJSON_GetObjectItemCaseSensitive(s, name)->valuedouble;
}

static void title_query_is_covered_and_confident(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "住宅装修施工时段规定");
    assert_string_equal(top_id(res), "zjj-1");
    assert_float_equal(signal(res, "coverage"), 1.0, 1e-9);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident")));
    double c = cJSON_GetObjectItemCaseSensitive(res, "confidence")->valuedouble;
    assert_true(c >= 0.6 && c <= 1.0);
    cJSON_Delete(res);
}

static void typo_bigram_counts_where_its_homophone_matches(void **state)
{
    fixture *fx = *state;
    /* 时断 typed for 时段: the only homophone the index knows stands for it */
    cJSON *res = ask(fx, "装修施工时断");
    assert_string_equal(top_id(res), "zjj-1");
    assert_float_equal(signal(res, "coverage"), 1.0, 1e-9);
    cJSON_Delete(res);
}

static void unrelated_question_is_not_confident(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "附近哪家火锅店好吃又便宜");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident")));
    assert_true(cJSON_GetObjectItemCaseSensitive(res, "confidence")->valuedouble < 0.6);
    cJSON_Delete(res);
}

static void synonym_finds_the_official_word(void **state)
{
    fixture *fx = *state;
    /* without character terms, only the concept links 社保 to 社会保险 */
    cJSON *res = ask_with(fx, "社保", NO_CHARS);
    assert_string_equal(top_id(res), "zjj-2");
    cJSON_Delete(res);
}

static void characters_back_off_where_bigrams_miss(void **state)
{
    fixture *fx = *state;
    /* 险移 is no bigram of any document; its characters are (保险, 转移) */
    cJSON *res = ask(fx, "险移");
    assert_string_equal(top_id(res), "zjj-2");
    cJSON_Delete(res);
    res = ask_with(fx, "险移", NO_CHARS);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "hits")), 0);
    cJSON_Delete(res);
}

static void related_situation_reaches_the_concept(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "楼上砸墙");
    assert_string_equal(top_id(res), "zjj-1");
    /* the caller's own words are not in the document: not confident */
    assert_float_equal(signal(res, "coverage"), 0.0, 1e-9);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident")));
    cJSON_Delete(res);
}

/* Traditional characters are written simplified in the index and in the
 * query: a traditional query ranks and scores as its simplified twin, and
 * a traditional document answers a simplified query, its snippet marking
 * the words as the document writes them. */
static void traditional_and_simplified_meet(void **state)
{
    fixture *fx = *state;
    cJSON *hans = ask(fx, "住宅装修施工时段"), *hant = ask(fx, "住宅裝修施工時段");
    assert_string_equal(top_id(hant), "zjj-1");
    const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(hans, "hits"), 0),
                *b = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(hant, "hits"), 0);
    assert_float_equal(cJSON_GetObjectItemCaseSensitive(a, "score")->valuedouble,
                       cJSON_GetObjectItemCaseSensitive(b, "score")->valuedouble, 1e-9);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(hant, "confident")));
    cJSON_Delete(hans);
    cJSON_Delete(hant);
    cJSON *res = ask(fx, "维修资金 电梯");
    assert_string_equal(top_id(res), "zjj-3");
    assert_float_equal(signal(res, "coverage"), 1.0, 1e-9);
    const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0);
    assert_non_null(
        strstr(cJSON_GetObjectItemCaseSensitive(h, "snippet")->valuestring, "<mark>電梯</mark>"));
    cJSON_Delete(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(title_query_is_covered_and_confident),
        cmocka_unit_test(typo_bigram_counts_where_its_homophone_matches),
        cmocka_unit_test(unrelated_question_is_not_confident),
        cmocka_unit_test(synonym_finds_the_official_word),
        cmocka_unit_test(characters_back_off_where_bigrams_miss),
        cmocka_unit_test(related_situation_reaches_the_concept),
        cmocka_unit_test(traditional_and_simplified_meet),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
