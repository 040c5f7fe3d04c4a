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
#include "rexian/assist.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/record.h"
#include "rexian/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char dir[64];
    char corpus[128]; /* dir/corpus */
    char docs[160];   /* a folder of documents in it */
    rx_kb *kb;
} fixture;

/* A fixture in a new temporary folder, its corpus and documents folders
 * made, to be filled and then opened with fixture_open. */
static fixture *fixture_new(const char *docs)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rexian-unit-search.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->corpus, sizeof fx->corpus, "%s/corpus", fx->dir);
    snprintf(fx->docs, sizeof fx->docs, "%s/%s", fx->corpus, docs);
    mkdir(fx->corpus, 0755);
    mkdir(fx->docs, 0755);
    return fx;
}

/* Indexes the fixture's corpus into dir/idx (its path into idx), with no
 * complaint, and publishes the new generation. */
static void fixture_build(fixture *fx, char idx[128])
{
    snprintf(idx, 128, "%s/idx", fx->dir);
    rx_build_opts o = {.corpus_dir = fx->corpus, .index_dir = idx};
    rx_build_stats st;
    rx_diags d = {0};
    assert_int_equal(rx_build(&st, &o, &d), RX_OK);
    assert_int_equal(d.n, 0);
    rx_diags_free(&d);
}

/* Indexes the fixture's corpus and opens the index. */
static int fixture_open(void **state, fixture *fx)
{
    char idx[128];
    fixture_build(fx, idx);
    assert_int_equal(rx_kb_open(&fx->kb, idx), RX_OK);
    *state = fx;
    return 0;
}

/* Writes a document "<id>.md" into the fixture's documents folder, effective
 * 2024-01-01. */
static void write_doc(fixture *fx, const char *id, const char *title, const char *department,
                      const char *type, const char *body)
{
    char name[64], text[1024];
    snprintf(name, sizeof name, "%s.md", id);
    snprintf(text, sizeof text,
             "---\nid: %s\ntitle: %s\ndepartment: %s\ntype: %s\neffective: 2024-01-01\n---\n%s\n",
             id, title, department, type, body);
    write_file(fx->docs, name, text);
}

static int setup(void **state)
{
    fixture *fx = fixture_new("zjj");
    const char *corpus = fx->corpus, *zjj = fx->docs;
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
    return fixture_open(state, fx);
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

static const cJSON *facet(const cJSON *res, const char *name, size_t k, const char **value)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(res, "facets");
    /* an object of value: count, most first */
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, name), (int)k);
    *value = e ? e->string : "";
    return e;
}

/* Facets are counted from a table read once per index view: the same counts,
 * most first, as Xapian's value-count spy gave. */
static void facets_count_the_matches(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "装修 社会保险 维修资金");
    const char *v;
    const cJSON *c = facet(res, "department", 0, &v);
    assert_string_equal(v, "市住房和城乡建设局");
    assert_int_equal(c->valueint, 2);
    c = facet(res, "department", 1, &v);
    assert_string_equal(v, "市医疗保障局");
    assert_int_equal(c->valueint, 1);
    assert_null(facet(res, "department", 2, &v));
    c = facet(res, "type", 0, &v);
    assert_string_equal(v, "policy");
    assert_int_equal(c->valueint, 2);
    c = facet(res, "type", 1, &v);
    assert_string_equal(v, "guide");
    assert_int_equal(c->valueint, 1);
    cJSON_Delete(res);
}

/* A search straight through the shim: the index at path, the plan of q,
 * its results. */
typedef struct {
    rx_index *ix;
    rx_query_plan *plan;
    rx_search_opts opts;
    rx_results *r;
} raw_search;

static raw_search search_raw_with(const char *path, const char *q, rx_search_opts opts)
{
    raw_search s = {.opts = opts};
    rx_analyzer an = {RX_AN_DEFAULT, NULL, NULL};
    assert_int_equal(rx_index_open(&s.ix, path), RX_OK);
    assert_int_equal(rx_plan_query(&s.plan, &an, q, strlen(q)), RX_OK);
    assert_int_equal(rx_index_search(&s.r, s.ix, s.plan, &s.opts), RX_OK);
    return s;
}

static raw_search search_raw(const char *path, const char *q)
{
    /* nothing explained by the search */
    return search_raw_with(path, q, (rx_search_opts){.limit = 10});
}

static void raw_search_free(raw_search *s)
{
    rx_results_free(s->r);
    rx_query_plan_free(s->plan);
    rx_index_free(s->ix);
}

/* Writes a document into the fixture's corpus, publishes a new generation
 * with it (indexed, not refused), and has ix follow it. */
static void publish_doc(fixture *fx, rx_index *ix, const char *name, const char *text)
{
    char idx[128];
    write_file(fx->docs, name, text);
    fixture_build(fx, idx);
    bool changed = false;
    assert_int_equal(rx_index_refresh(ix, &changed), RX_OK);
    assert_true(changed);
}

/* A search returns each match's head (what ranking reads); the whole record,
 * which Xapian keeps compressed, is read only for the matches shown, and
 * only from the view of the index the search saw. */
static void matches_carry_heads_until_fetched(void **state)
{
    fixture *fx = *state;
    char idx[128];
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    raw_search s = search_raw(idx, "装修施工时段");
    rx_index *ix = s.ix;
    rx_results *r = s.r;
    assert_true(r->n >= 1);
    rx_record rec;
    assert_false(r->matches[0].whole);
    assert_int_equal(rx_record_decode(&rec, r->matches[0].data, r->matches[0].len), RX_EINVALID);
    assert_int_equal(rx_record_decode_head(&rec, r->matches[0].data, r->matches[0].len), RX_OK);
    assert_memory_equal(rec.f[RX_REC_ID], "zjj-1", 5);
    assert_int_equal(rx_index_fetch(ix, r, 0), RX_OK);
    assert_true(r->matches[0].whole);
    assert_int_equal(rx_record_decode(&rec, r->matches[0].data, r->matches[0].len), RX_OK);
    assert_non_null(memmem(rec.f[RX_REC_PLAIN], rec.len[RX_REC_PLAIN], "双休日", 9));
    rx_results_free(r);

    /* a new generation published between the search and the fetch */
    assert_int_equal(rx_index_search(&s.r, ix, s.plan, &s.opts), RX_OK);
    r = s.r;
    publish_doc(fx, ix, "zjj-0.md",
                "---\nid: zjj-0\ntitle: 物业服务收费\ndepartment: 住建局\ntype: guide\n"
                "effective: 2024-01-01\n---\n物业费按合同约定收取。\n");
    assert_int_equal(rx_index_fetch(ix, r, 0), RX_ECONFLICT);
    assert_false(r->matches[0].whole);
    raw_search_free(&s);
}

/* The frequency of a plan term in a search's answer (0 when absent). */
static double freq_of(const raw_search *s, const char *term)
{
    for (size_t t = 0; t < s->plan->nterms; t++)
        if (!strcmp(s->plan->terms[t].term, term))
            return s->r->term_freq[t];
    return 0;
}

/* A reader keeps the term frequencies it looked up, for as long as it sees
 * the same view of the index: a search after a new generation counts the
 * documents that generation has. */
static void term_frequencies_follow_a_new_generation(void **state)
{
    fixture *fx = *state;
    char idx[128];
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    raw_search s = search_raw(idx, "住宅维修");
    double before = freq_of(&s, "住宅");
    assert_true(before >= 2);
    rx_results_free(s.r);
    /* the same reader, the same view: the same counts */
    assert_int_equal(rx_index_search(&s.r, s.ix, s.plan, &s.opts), RX_OK);
    assert_float_equal(freq_of(&s, "住宅"), before, 1e-9);
    rx_results_free(s.r);
    publish_doc(fx, s.ix, "zjj-9.md",
                "---\nid: zjj-9\ntitle: 住宅小区公共维修\ndepartment: 住建局\ntype: guide\n"
                "effective: 2024-01-01\n---\n住宅小区的公共设施坏了，可申请维修。\n");
    assert_int_equal(rx_index_search(&s.r, s.ix, s.plan, &s.opts), RX_OK);
    assert_float_equal(freq_of(&s, "住宅"), before + 1, 1e-9);
    raw_search_free(&s);
}

/* A match the search did not explain (the first hit after re-ranking may be
 * one) is explained on demand: which of the plan's terms it holds. */
static void matches_are_explained_on_demand(void **state)
{
    fixture *fx = *state;
    char idx[128];
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    raw_search s = search_raw(idx, "装修施工");
    const rx_results *r = s.r;
    const rx_query_plan *plan = s.plan;
    assert_true(r->n >= 1);
    assert_false(r->explained[0]);
    assert_int_equal(rx_index_explain(s.ix, s.r, 0), RX_OK);
    assert_true(r->explained[0]);
    size_t held = 0;
    for (size_t t = 0; t < r->nterms; t++)
        if (!strcmp(plan->terms[t].term, "装修") || !strcmp(plan->terms[t].term, "施工")) {
            assert_int_equal(r->matched[t], 1);
            held++;
        }
    assert_int_equal(held, 2);
    raw_search_free(&s);
}

/* The character terms of a query walk at most char_postings postings
 * together, the rarest first: 修 (in two documents) is dropped before the
 * characters each in one. Unbounded here (the shipped bound binds only in
 * a corpus of thousands), every character of the query runs. */
static void character_terms_walk_a_bounded_number_of_postings(void **state)
{
    fixture *fx = *state;
    char idx[128];
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    for (size_t bound = 0; bound <= 3; bound += 3) {
        raw_search s = search_raw_with(idx, "维修装修资金",
                                       (rx_search_opts){.limit = 10, .char_postings = bound});
        const rx_query_plan *plan = s.plan;
        double walked = 0;
        size_t chars = 0, used = 0;
        for (size_t t = 0; t < plan->nterms; t++) {
            if (plan->terms[t].kind != RX_QT_CHAR)
                continue;
            chars++;
            if (!strcmp(plan->terms[t].term, "C修"))
                assert_float_equal(s.r->term_freq[t], 2, 1e-9);
            if (s.r->used[t]) {
                used++;
                walked += s.r->term_freq[t];
                if (bound)
                    assert_string_not_equal(plan->terms[t].term, "C修");
            }
        }
        assert_int_equal(chars, 5); /* 维 修 装 资 金 */
        if (bound) {
            assert_int_equal(used, 3);
            assert_true(walked <= (double)bound);
        } else {
            assert_int_equal(used, chars);
        }
        raw_search_free(&s);
    }
}

/* A long spoken question leans on characters more than a short query: one
 * in 20% of the documents (above the 15% of a common term) is run for the
 * question and not for the short query. */
static void a_long_question_leans_on_characters(void **state)
{
    fixture *fx = fixture_new("docs");
    write_file(fx->corpus, "departments.txt", "市交通运输局\n");
    for (int k = 0; k < 200; k++) {
        char id[32], title[64], body[64];
        snprintf(id, sizeof id, "jt-%d", k);
        snprintf(title, sizeof title, "第%d号养护通知", k);
        snprintf(body, sizeof body, "第%d号通知：%s养护安排。", k, k < 40 ? "桥面" : "路面");
        write_doc(fx, id, title, "市交通运输局", "notice", body);
    }
    char idx[128];
    fixture_build(fx, idx);
    static const struct {
        const char *q;
        bool used;
    } cases[] = {
        {"我家门口那座桥晚上黑漆漆的没有灯走路很怕摔跤想问一下", true},
        {"桥上的灯坏了", false},
    };
    for (size_t c = 0; c < 2; c++) {
        raw_search s = search_raw(idx, cases[c].q);
        bool seen = false;
        for (size_t t = 0; t < s.plan->nterms; t++)
            if (!strcmp(s.plan->terms[t].term, "C桥")) {
                seen = true;
                assert_float_equal(s.r->term_freq[t], 40, 1e-9);
                if (s.r->used[t] != cases[c].used)
                    fail_msg("%s: C桥 used %d", cases[c].q, s.r->used[t]);
            }
        assert_true(seen);
        raw_search_free(&s);
    }
    *state = fx;
    teardown(state);
}

/* In a short query, characters whose bigrams the index does not know (白蚂蚁
 * where the documents say 白蚁) carry that part of the query, and outweigh
 * the filler the caller says around it (家里有 … 怎么办). */
static void an_unknown_word_leans_on_its_characters(void **state)
{
    (void)state;
    fixture *fx = fixture_new("docs");
    write_file(fx->corpus, "departments.txt", "市住房和城乡建设局\n市退役军人事务局\n");
    write_doc(fx, "zjj-1", "房屋白蚁防治指南", "市住房和城乡建设局", "guide",
              "房屋发现白蚁危害的，可以申请白蚁防治。");
    static const char *const filler[] = {"家里有人当兵，能领什么优待", "家里有人参军，家属怎么登记",
                                         "家里有军人，门牌怎么挂光荣牌"};
    for (int k = 0; k < 3; k++) {
        char id[32], body[128];
        snprintf(id, sizeof id, "tyj-%d", k);
        snprintf(body, sizeof body, "%s？请到退役军人服务站办理。", filler[k]);
        write_doc(fx, id, filler[k], "市退役军人事务局", "guide", body);
    }
    /* documents that make the filler's characters common */
    for (int k = 0; k < 10; k++) {
        char id[32], title[32];
        snprintf(id, sizeof id, "other-%d", k);
        snprintf(title, sizeof title, "第%d号通知", k);
        write_doc(fx, id, title, "市住房和城乡建设局", "notice", "家属可以办理，公里数按里程计。");
    }
    fixture_open(state, fx);
    cJSON *res = ask(fx, "家里有白蚂蚁怎么办");
    assert_string_equal(top_id(res), "zjj-1");
    cJSON_Delete(res);
    teardown(state);
}

/* An index written before heads (no head slot) still answers whole records. */
static void an_index_without_heads_answers_whole_records(void **state)
{
    fixture *fx = *state;
    char db[128];
    snprintf(db, sizeof db, "%s/old", fx->dir);
    rx_writer *w = NULL;
    assert_int_equal(rx_writer_open(&w, db), RX_OK);
    rx_doc doc = {.id = "old-1", .title = "旧索引里的文档", .department = "住建局", .type = "faq"};
    const char *plain = "装修施工时段";
    rx_buf rec = {0};
    assert_int_equal(rx_record_encode(&rec, &doc, plain, strlen(plain)), RX_OK);
    rx_strmap terms = {0};
    rx_strmap_entry *e = rx_strmap_upsert(&terms, "装修", strlen("装修"), NULL);
    assert_non_null(e);
    e->value = 1;
    assert_int_equal(
        rx_writer_put(w, "old-1", "住建局", "faq", "", "", &terms, rec.data, rec.len, 0), RX_OK);
    assert_int_equal(rx_writer_close(w), RX_OK);
    rx_strmap_free(&terms);
    rx_buf_free(&rec);

    raw_search s = search_raw(db, "装修");
    rx_results *r = s.r;
    assert_int_equal(r->n, 1);
    assert_true(r->matches[0].whole);
    rx_record got;
    assert_int_equal(rx_record_decode(&got, r->matches[0].data, r->matches[0].len), RX_OK);
    assert_int_equal(rx_index_fetch(s.ix, r, 0), RX_OK);
    raw_search_free(&s);
}

/* ---- queries typed in pinyin with the IME off ---- */

static int setup_spelled(void **state)
{
    fixture *fx = fixture_new("docs");
    const char *corpus = fx->corpus, *d = fx->docs;
    write_file(corpus, "departments.txt", "市住房公积金管理中心 公积金中心\n市不动产登记中心\n");
    write_file(corpus, "synonyms.txt", "不动产权证书 房本 房产证\n");
    static const struct {
        const char *id, *title, *body;
    } docs[] = {
        {"gjj-1", "住房公积金提取指南", "缴存职工提取住房公积金，带身份证办理。"},
        {"gjj-2", "住房公积金贷款指南", "住房公积金贷款额度按缴存余额计算。"},
        /* 共济 sounds as 公积 does, and is rarer here */
        {"gjj-3", "家庭共济备案",
         "个人账户家庭共济备案，绑定配偶、父母、子女等近亲属，由家属使用账户余额。"},
        {"bdc-1", "不动产权证书补办指南", "不动产权证书遗失的，登报声明后补办。"},
        {"bdc-2", "结婚证补办", "结婚证遗失可以补办。"},
        {"bdc-3", "银行卡挂失", "银行卡丢失后先挂失。"},
        {"bdc-4", "社保卡挂失", "社保卡丢失后先挂失。"},
        {"bdc-5", "抵押登记", "办理抵押登记需要抵押合同。"},
        {"bdc-6", "更正登记", "登记簿记载错误的，申请更正登记。"},
    };
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        char name[32], text[512];
        snprintf(name, sizeof name, "%s.md", docs[k].id);
        snprintf(text, sizeof text,
                 "---\nid: %s\ntitle: %s\ndepartment: %s\ntype: guide\neffective: "
                 "2024-01-01\n---\n%s\n",
                 docs[k].id, docs[k].title,
                 docs[k].id[0] == 'g' ? "市住房公积金管理中心" : "市不动产登记中心", docs[k].body);
        write_file(d, name, text);
    }
    return fixture_open(state, fx);
}

/* gongjijin tiqu finds 公积金提取 as if typed in Chinese, with the words
 * highlighted; spaces anywhere or none at all read the same. */
static void pinyin_typed_query_finds_the_words(void **state)
{
    fixture *fx = *state;
    const char *typed[] = {"gongjijin tiqu", "gongjijintiqu", "gong ji jin ti qu",
                           "GongJiJin TiQu"};
    for (size_t k = 0; k < sizeof typed / sizeof typed[0]; k++) {
        cJSON *res = ask(fx, typed[k]);
        if (strcmp(top_id(res), "gjj-1") != 0)
            fail_msg("%s: first hit %s", typed[k], top_id(res));
        const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0);
        const char *snip = cJSON_GetObjectItemCaseSensitive(h, "snippet")->valuestring;
        assert_non_null(strstr(snip, "<mark>公积金</mark>"));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "pinyin")));
        cJSON_Delete(res);
    }
}

/* A query in characters says nothing of pinyin; letters that are no pinyin
 * neither. */
static void only_pinyin_says_pinyin(void **state)
{
    fixture *fx = *state;
    const char *plain[] = {"公积金提取", "wifi"};
    for (size_t k = 0; k < 2; k++) {
        cJSON *res = ask(fx, plain[k]);
        assert_null(cJSON_GetObjectItemCaseSensitive(res, "pinyin"));
        cJSON_Delete(res);
    }
}

/* A spelled pair stands for its bigrams as one term: the rarer 共济 does
 * not outweigh the common 公积 on its idf (a single doc holds it). */
static void pinyin_readings_weigh_as_one_term(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "gongji");
    double common = -1, rare = -1;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(res, "hits"))
    {
        const char *id = cJSON_GetObjectItemCaseSensitive(h, "id")->valuestring;
        double sc = cJSON_GetObjectItemCaseSensitive(h, "score")->valuedouble;
        if (!strcmp(id, "gjj-1"))
            common = sc;
        else if (!strcmp(id, "gjj-3"))
            rare = sc;
    }
    /* as one term they score alike; as a choice of terms the rarer one
     * would score about three times the common */
    if (!(common > 0 && rare > 0 && rare < 1.2 * common))
        fail_msg("公积 scores %.3f, the rarer 共济 %.3f", common, rare);
    cJSON_Delete(res);
}

/* The lexicon is found by sound (fangben: 房本, the concept of 不动产权证书),
 * and a polyphone reads as the word needs (yinhang: 银行, indexed yin xing). */
static void pinyin_reaches_the_lexicon_and_polyphones(void **state)
{
    fixture *fx = *state;
    cJSON *res = ask(fx, "fangben buban");
    assert_string_equal(top_id(res), "bdc-1");
    cJSON_Delete(res);
    res = ask(fx, "yinhangka guashi");
    assert_string_equal(top_id(res), "bdc-3");
    cJSON_Delete(res);
}

/* A 居住证 guide and two rental guides whose words a ticket's story shares,
 * indexed and opened. */
static fixture *rental_fixture(void **state)
{
    fixture *fx = fixture_new("docs");
    write_file(fx->corpus, "departments.txt", "市公安局\n市住房和城乡建设局\n");
    write_file(fx->docs, "gaj-1.md",
               "---\nid: gaj-1\ntitle: 居住证申领办事指南\ndepartment: 市公安局\ntype: guide\n"
               "effective: 2024-01-01\n---\n申领居住证的条件：在本市居住半年以上，"
               "有合法稳定就业、合法稳定住所或者连续就读之一。\n");
    write_file(
        fx->docs, "zjj-1.md",
        "---\nid: zjj-1\ntitle: 外地户口租房住的租赁备案\ndepartment: 市住房和城乡建设局\n"
        "type: guide\neffective: 2024-01-01\n---\n外地户口人员在株洲租房住，"
        "出租人和承租人应到住建部门办理房屋租赁备案。外地户口租房住的，备案后可享受公共服务。\n");
    write_file(fx->docs, "zjj-2.md",
               "---\nid: zjj-2\ntitle: 在株洲租房住的外地户口人员落户\ndepartment: "
               "市住房和城乡建设局\ntype: guide\neffective: 2024-01-01\n---\n"
               "外地户口在株洲租房住满一定年限的，可以申请落户株洲。\n");
    fixture_open(state, fx);
    return fx;
}

/* A ticket tells a story, then asks: the assist's documents follow what it
 * asks (居住证), not the story's words every rental document shares. */
static void assist_focus_ranks_what_the_ticket_asks(void **state)
{
    fixture *fx = rental_fixture(state);
    const char *text = "外地户口在株洲租房住，办居住证要么子条件";
    cJSON *res = NULL;
    assert_int_equal(rx_assist_search(&res, fx->kb, text), RX_OK);
    const char *first = top_id(res);
    if (!strcmp(first, "gaj-1"))
        fail_msg("the whole text already finds gaj-1 first: the test shows nothing");
    assert_int_equal(rx_assist_focus(res, fx->kb, RX_ASSIST_ASK_WEIGHT), RX_OK);
    assert_string_equal(top_id(res), "gaj-1");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "hits")), 3);
    cJSON_Delete(res);
    /* a text that only asks, or only tells, is left as it is (but for
     * what the whole text's search vouched for) */
    const char *plain[] = {"办居住证要么子条件", "外地户口在株洲租房住"};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(rx_assist_search(&res, fx->kb, plain[k]), RX_OK);
        char *before = cJSON_PrintUnformatted(res);
        assert_int_equal(rx_assist_focus(res, fx->kb, RX_ASSIST_ASK_WEIGHT), RX_OK);
        char *after = cJSON_PrintUnformatted(res);
        assert_string_equal(before, after);
        free(before);
        free(after);
        cJSON_Delete(res);
    }
    teardown(state);
}

/* A term in most documents is left out of the match (身份证 is in every
 * list of materials); its title form stands in for it, so the guide whose
 * title names it outranks a guide to another card that shares the
 * caller's other words. */
static void a_common_term_counts_in_the_title(void **state)
{
    (void)state;
    fixture *fx = fixture_new("docs");
    write_file(fx->corpus, "departments.txt", "市公安局\n市市场监督管理局\n");
    for (int k = 0; k < 24; k++) {
        char id[32], title[64], body[256];
        snprintf(id, sizeof id, "scj-%d", k);
        snprintf(title, sizeof title, "第%d类经营许可办事指南", k);
        snprintf(body, sizeof body,
                 "申请第%d类经营许可，带身份证、营业场所证明和申请表到政务服务中心窗口办理。", k);
        write_doc(fx, id, title, "市市场监督管理局", "guide", body);
    }
    write_file(fx->docs, "gaj-1.md",
               "---\nid: gaj-1\ntitle: 居民身份证换领办事指南\ndepartment: 市公安局\ntype: guide\n"
               "effective: 2024-01-01\n---\n有效期满的到派出所换领。换新证一般要几天？"
               "二十个工作日内领取。\n");
    write_file(fx->docs, "scj-x.md",
               "---\nid: scj-x\ntitle: 营业执照换新要几天\ndepartment: 市市场监督管理局\n"
               "type: guide\neffective: 2024-01-01\n---\n营业执照换新，材料齐全的当场办好。\n");
    fixture_open(state, fx);
    const char *q = "身份证换新要几天";
    cJSON *res = ask_with(fx, q, RX_AN_DEFAULT & ~RX_AN_TITLE);
    if (!strcmp(top_id(res), "gaj-1"))
        fail_msg("without the title stand-in gaj-1 is already first: the test shows nothing");
    cJSON_Delete(res);
    res = ask(fx, q);
    assert_string_equal(top_id(res), "gaj-1");
    cJSON_Delete(res);
    teardown(state);
}

/* An FAQ row answers the question it asks: a row about another card that
 * shares the caller's everyday words (丢了, 挂失, 补办) comes after the guide
 * to the card the caller named, while a row whose question is the caller's
 * own comes first. */
static void an_faq_row_answers_its_own_question(void **state)
{
    fixture *fx = fixture_new("docs");
    write_file(fx->corpus, "departments.txt", "市人力资源和社会保障局\n市公安局\n");
    write_doc(fx, "rsj-1", "社会保障卡补领办事指南", "市人力资源和社会保障局", "guide",
              "社保卡遗失的，先打电话挂失，再带身份证到社保卡服务网点补领，当场制卡。");
    char faq_dir[192];
    snprintf(faq_dir, sizeof faq_dir, "%s/faq", fx->corpus);
    mkdir(faq_dir, 0755);
    write_file(faq_dir, "f.csv",
               "id,question,answer,department,tags\n"
               "faq-1,\"银行卡丢了怎么办，要去哪里挂失补办？\",\"银行卡丢了先打银行客服电话挂失，"
               "再带身份证到开户行网点补办新卡。\",市公安局,挂失\n"
               "faq-2,\"身份证丢了要怎么补办？\",\"带户口簿到派出所补办，二十个工作日内领取。\","
               "市公安局,补办\n");
    fixture_open(state, fx);
    const char *q = "社保卡丢了要挂失补办吗";
    /* the shipped ranking but for the narrowing */
    const rx_rank_params wide = {.concept_weight = 1.0, .related_weight = 0.3, .max_terms = 24};
    rx_kb_query kq = {.q = q, .limit = 5, .rank = &wide};
    cJSON *res = NULL;
    assert_int_equal(rx_kb_search(&res, fx->kb, &kq), RX_OK);
    if (strcmp(top_id(res), "faq-1") != 0)
        fail_msg("without the narrowing %s is first, not the bank card's row: the test shows "
                 "nothing",
                 top_id(res));
    cJSON_Delete(res);
    res = ask(fx, q);
    assert_string_equal(top_id(res), "rsj-1");
    cJSON_Delete(res);
    res = ask(fx, "银行卡丢了怎么挂失补办");
    assert_string_equal(top_id(res), "faq-1");
    assert_null(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0), "rank"));
    cJSON_Delete(res);
    /* what re-ranking read, for the relevance study: the row's question
     * holds every bigram of the query's but the function words' */
    kq = (rx_kb_query){.q = "银行卡丢了怎么挂失补办", .limit = 5, .rank_features = true};
    assert_int_equal(rx_kb_search(&res, fx->kb, &kq), RX_OK);
    const cJSON *rank = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0), "rank");
    assert_non_null(rank);
    assert_true(cJSON_GetObjectItemCaseSensitive(rank, "bm25")->valuedouble > 0);
    assert_true(cJSON_GetObjectItemCaseSensitive(rank, "title")->valuedouble > 0.5);
    cJSON_Delete(res);
    teardown(state);
}

/* The assist's `confident` is about the document it shows first: the
 * search of the ticket's question vouches for the 居住证 guide it brings
 * up; a document the department suggestion moves to the top is not
 * vouched for by the search's confidence in the one it displaced. */
static void assist_confidence_is_about_the_document_shown_first(void **state)
{
    fixture *fx = rental_fixture(state);
    rx_assist *a = NULL;
    assert_int_equal(rx_assist_new(&a, NULL), RX_OK);
    rx_analyzer an = rx_kb_analyzer(fx->kb);

    /* the whole text's search finds a rental guide first; the question's
     * search is sure of the 居住证 guide, which it puts first */
    const char *text = "外地户口在株洲租房住，办居住证要么子条件";
    cJSON *res = NULL, *hits = NULL;
    bool confident = false;
    assert_int_equal(rx_assist_search(&res, fx->kb, text), RX_OK);
    if (strncmp(top_id(res), "zjj-", 4) != 0)
        fail_msg("the whole text finds %s first, not a rental guide: the test shows nothing",
                 top_id(res));
    assert_int_equal(rx_assist_focus(res, fx->kb, RX_ASSIST_ASK_WEIGHT), RX_OK);
    assert_int_equal(rx_assist_documents(&hits, &confident, a, res, &an, NULL, 0, 0), RX_OK);
    assert_string_equal(rx_json_str(cJSON_GetArrayItem(hits, 0), "id"), "gaj-1");
    assert_true(confident);
    cJSON_Delete(hits);

    /* a story alone: its search is sure of a rental guide, but the
     * suggestion (市公安局, certain) puts the 居住证 guide first */
    assert_int_equal(rx_assist_search(&res, fx->kb, "外地户口在株洲租房住，想办备案"), RX_OK);
    if (strncmp(top_id(res), "zjj-", 4) != 0 ||
        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident")))
        fail_msg("the story's search is not sure of a rental guide: the test shows nothing");
    rx_assist_hint h = {.ndepts = 1};
    snprintf(h.depts[0].name, sizeof h.depts[0].name, "市公安局");
    h.depts[0].score = 1;
    assert_int_equal(rx_assist_documents(&hits, &confident, a, res, &an, &h, 100, 0), RX_OK);
    assert_string_equal(rx_json_str(cJSON_GetArrayItem(hits, 0), "id"), "gaj-1");
    assert_false(confident);
    cJSON_Delete(hits);
    rx_assist_free(a);
    teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(title_query_is_covered_and_confident),
        cmocka_unit_test(assist_confidence_is_about_the_document_shown_first),
        cmocka_unit_test(a_common_term_counts_in_the_title),
        cmocka_unit_test(an_faq_row_answers_its_own_question),
        cmocka_unit_test(typo_bigram_counts_where_its_homophone_matches),
        cmocka_unit_test(unrelated_question_is_not_confident),
        cmocka_unit_test(synonym_finds_the_official_word),
        cmocka_unit_test(characters_back_off_where_bigrams_miss),
        cmocka_unit_test(related_situation_reaches_the_concept),
        cmocka_unit_test(traditional_and_simplified_meet),
        cmocka_unit_test(facets_count_the_matches),
        cmocka_unit_test(an_index_without_heads_answers_whole_records),
        cmocka_unit_test(matches_are_explained_on_demand),
        cmocka_unit_test(character_terms_walk_a_bounded_number_of_postings),
        cmocka_unit_test(a_long_question_leans_on_characters),
        cmocka_unit_test(an_unknown_word_leans_on_its_characters),
        cmocka_unit_test(assist_focus_ranks_what_the_ticket_asks),
        /* last: they publish new generations */
        cmocka_unit_test(matches_carry_heads_until_fetched),
        cmocka_unit_test(term_frequencies_follow_a_new_generation),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    const struct CMUnitTest spelled[] = {
        cmocka_unit_test(pinyin_typed_query_finds_the_words),
        cmocka_unit_test(only_pinyin_says_pinyin),
        cmocka_unit_test(pinyin_readings_weigh_as_one_term),
        cmocka_unit_test(pinyin_reaches_the_lexicon_and_polyphones),
    };
    return failed + cmocka_run_group_tests(spelled, setup_spelled, teardown);
}
