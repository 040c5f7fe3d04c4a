/* A ticket's assist (GET /api/v1/tickets/ID/assist): the documents that
 * answer its text, similar past tickets and how they ended, the
 * departments and the level, and the repeat links. */
#include "model.h"

#include "rexian/error.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCS 5
#define SIMILAR_SHOWN 5
#define NEIGHBOURS 20
#define WIDE 30          /* hits reranked by learned terms */
#define QUERY_BYTES 1000 /* the search reads the first this many bytes of a long text */
#define REPEATS_READ 5

/* Earlier tickets of the same caller or place on the same matter that
 * did not end to the caller's satisfaction. */
static int unresolved_repeats(rx_tickets *t, const cJSON *repeat_of, double now)
{
    int n = 0, read = 0;
    const cJSON *id;
    rx_actor sys = {.name = "assist", .role = "system", .now = now};
    cJSON_ArrayForEach(id, repeat_of)
    {
        cJSON *e = NULL;
        if (!cJSON_IsString(id) || read++ >= REPEATS_READ ||
            rx_tickets_get(&e, t, id->valuestring, &sys) != RX_OK)
            continue;
        const char *status = rx_json_str(e, "status"), *sat = rx_json_str(e, "satisfaction");
        if ((status && strcmp(status, "closed") != 0 && strcmp(status, "archived") != 0) ||
            (sat && !strcmp(sat, "unsatisfied")))
            n++;
        cJSON_Delete(e);
    }
    return n;
}

/* Reorders hits by the department suggestion: a document of a department
 * the ticket likely goes to answers it more likely than one of another. */
static void rerank_departments(cJSON *hits, const rx_assist_hint *h, double gain)
{
    int n = cJSON_GetArraySize(hits);
    double *factor = n > 1 && h && gain > 0 ? calloc((size_t)n, sizeof *factor) : NULL;
    if (!factor)
        return;
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, hits)
    {
        const char *dept = rx_json_str(it, "department");
        double p = 0;
        for (size_t d = 0; dept && d < h->ndepts; d++)
            if (!strcmp(h->depts[d].name, dept))
                p = h->depts[d].score;
        factor[k++] = 1 + gain * p;
    }
    rx_hits_rescore(hits, factor);
    free(factor);
}

/* Whether a clause asks (要么子材料, 能在外地换不, 怎么申请, 多少钱). */
static bool asks(const char *c, size_t len)
{
    static const char *const marks[] = {"吗",       "怎",     "哪",   "多少", "么子", "能不能",
                                        "能否",     "要不要", "是否", "什么", "几时", "咋",
                                        "可不可以", "有没有", "有冇", "啥",   "么样", NULL};
    for (size_t k = 0; marks[k]; k++)
        if (memmem(c, len, marks[k], strlen(marks[k])))
            return true;
    /* a clause ending in 不 or 冇 asks (换得了不, 能办冇) */
    return len >= 3 && (!memcmp(c + len - 3, "不", 3) || !memcmp(c + len - 3, "冇", 3));
}

/* The clauses of a ticket's text that ask, joined with spaces into out;
 * 0 when none does or all do (nothing to focus on). */
static size_t ask_text(char *out, size_t cap, const char *text)
{
    static const char *const seps[] = {"，", "。", "；", "？", "！", "：", ",",
                                       ";",  "?",  "!",  ":",  " ",  "\n", NULL};
    size_t n = 0, clauses = 0, asking = 0;
    const char *p = text, *start = text;
    for (;;) {
        size_t sl = 0;
        for (size_t k = 0; *p && seps[k] && !sl; k++)
            if (!strncmp(p, seps[k], strlen(seps[k])))
                sl = strlen(seps[k]);
        if (*p && !sl) {
            p++;
            continue;
        }
        size_t len = (size_t)(p - start);
        if (len) {
            clauses++;
            if (asks(start, len) && n + len + 2 < cap) {
                asking++;
                if (n)
                    out[n++] = ' ';
                memcpy(out + n, start, len);
                n += len;
            }
        }
        if (!*p)
            break;
        p += sl;
        start = p;
    }
    out[n] = 0;
    return asking && asking < clauses ? n : 0;
}

/* What a search's confidence must reach to vouch for its first hit as the
 * assist's answer. A ticket's whole text is a long story, whose right
 * first hit covers less of it than a short question's does: the search's
 * own threshold (0.6) left three in four right first documents unsure on
 * the development tickets, 0.4 about half, and kept 30 of their 32
 * consultations no document answers unsure. The clauses that ask are a
 * question like the search box's, but a confident hit for them may answer
 * only part of the ticket: 0.8. docs/ASSIST.md has the measurements. */
#define TEXT_CONFIDENT_AT 0.4
#define ASK_CONFIDENT_AT 0.8

/* Notes in res the first hit of search when its confidence reaches at:
 * the documents' `confident` is about the one shown first, whichever
 * search vouched for it (VOUCHED: ids, internal to the assist). */
#define VOUCHED "vouched"
static void vouch(cJSON *res, const cJSON *search, double at)
{
    const cJSON *hit = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(search, "hits"), 0);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(search, "confidence");
    const char *id = rx_json_str(hit, "id");
    if (!id || !cJSON_IsNumber(c) || c->valuedouble < at)
        return;
    cJSON *ids = cJSON_GetObjectItemCaseSensitive(res, VOUCHED);
    if (!ids)
        ids = cJSON_AddArrayToObject(res, VOUCHED);
    if (ids)
        cJSON_AddItemToArray(ids, cJSON_CreateString(id));
}

int rx_assist_search(cJSON **res, rx_kb *kb, const char *text)
{
    char q[QUERY_BYTES + 1]; /* unframed and cut at a character */
    rx_assist_unframe(q, sizeof q, text);
    rx_kb_query kq = {.q = q, .limit = WIDE};
    int rc = rx_kb_search(res, kb, &kq);
    if (rc == RX_OK)
        vouch(*res, *res, TEXT_CONFIDENT_AT);
    return rc;
}

/* A hit of hits with the id of o, or NULL. */
static cJSON *same_hit(cJSON *hits, const cJSON *o)
{
    const char *id = rx_json_str(o, "id");
    cJSON *h;
    cJSON_ArrayForEach(h, hits)
    {
        const char *other = rx_json_str(h, "id");
        if (id && other && !strcmp(id, other))
            return h;
    }
    return NULL;
}

static double score_of(const cJSON *hit)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(hit, "score");
    return cJSON_IsNumber(sc) ? sc->valuedouble : 0;
}

int rx_assist_focus(cJSON *res, rx_kb *kb, double weight)
{
    const char *text = rx_json_str(res, "query");
    cJSON *full = cJSON_GetObjectItemCaseSensitive(res, "hits");
    char ask[QUERY_BYTES + 1];
    if (!text || !cJSON_IsArray(full) || weight <= 0 || !ask_text(ask, sizeof ask, text))
        return RX_OK;
    cJSON *second = NULL;
    rx_kb_query kq = {.q = ask, .limit = WIDE};
    int rc = rx_kb_search(&second, kb, &kq);
    if (rc != RX_OK)
        return rc;
    cJSON *more = cJSON_GetObjectItemCaseSensitive(second, "hits");
    double t1 = score_of(cJSON_GetArrayItem(full, 0)), t2 = score_of(cJSON_GetArrayItem(more, 0));
    vouch(res, second, ASK_CONFIDENT_AT);
    if (t1 <= 0 || t2 <= 0) {
        cJSON_Delete(second);
        return RX_OK;
    }
    /* each hit's score: its share of the whole text's best, plus weight ×
     * its share of the question's best, on the whole text's scale */
    cJSON *h;
    cJSON_ArrayForEach(h, full)
    {
        const cJSON *o = same_hit(more, h);
        cJSON_ReplaceItemInObjectCaseSensitive(
            h, "score", cJSON_CreateNumber(score_of(h) + weight * (o ? score_of(o) / t2 : 0) * t1));
    }
    while (cJSON_GetArraySize(more) > 0) {
        cJSON *o = cJSON_DetachItemFromArray(more, 0);
        if (same_hit(full, o)) {
            cJSON_Delete(o);
            continue;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(o, "score",
                                               cJSON_CreateNumber(weight * score_of(o) / t2 * t1));
        cJSON_AddItemToArray(full, o);
    }
    cJSON_Delete(second);
    rx_hits_rescore(full, NULL); /* orders them by the fused scores */
    return RX_OK;
}

void rx_assist_hit_evidence(rx_assist_input *in, const cJSON *res, const char **names,
                            double *scores, size_t max)
{
    size_t n = 0;
    const cJSON *hit;
    cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(res, "hits"))
    {
        const char *d = rx_json_str(hit, "department");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(hit, "score");
        if (n >= max)
            break;
        if (d && cJSON_IsNumber(sc)) {
            names[n] = d;
            scores[n++] = sc->valuedouble;
        }
    }
    in->hit_departments = names;
    in->hit_scores = scores;
    in->nhits = n;
}

int rx_assist_documents(cJSON **hits, bool *confident, rx_assist *a, cJSON *res,
                        const rx_analyzer *an, const rx_assist_hint *h, double dept_gain,
                        double now)
{
    *hits = NULL;
    *confident = false;
    /* learned terms are matched against what the search ran: the text's
     * first QUERY_BYTES, as rx_kb_search echoes it */
    const char *q = rx_json_str(res, "query");
    cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(res, "hits");
    if (!list)
        list = cJSON_CreateArray();
    rx_assist_rerank(a, an, q ? q : "", list, now);
    rerank_departments(list, h, dept_gain);
    while (cJSON_GetArraySize(list) > DOCS)
        cJSON_DeleteItemFromArray(list, DOCS);
    /* about the document shown first: a search vouched for it */
    const char *first = rx_json_str(cJSON_GetArrayItem(list, 0), "id");
    const cJSON *id;
    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(res, VOUCHED))
    {
        if (first && cJSON_IsString(id) && !strcmp(id->valuestring, first))
            *confident = true;
    }
    cJSON_Delete(res);
    *hits = list;
    return RX_OK;
}

/* A similar ticket's documents, ids as the store keeps them, given their
 * titles for the call-taker to open; one the index no longer holds is left
 * out. */
static void title_documents(cJSON *ticket, rx_kb *kb)
{
    cJSON *ids = cJSON_DetachItemFromObjectCaseSensitive(ticket, "documents");
    if (!ids)
        return;
    cJSON *docs = cJSON_CreateArray();
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        cJSON *d = NULL;
        if (!cJSON_IsString(id) || rx_kb_get(&d, kb, id->valuestring) != RX_OK)
            continue;
        const char *title = rx_json_str(d, "title");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", id->valuestring);
        cJSON_AddStringToObject(o, "title", title ? title : "");
        cJSON_AddItemToArray(docs, o);
        cJSON_Delete(d);
    }
    cJSON_Delete(ids);
    if (cJSON_GetArraySize(docs) > 0)
        cJSON_AddItemToObject(ticket, "documents", docs);
    else
        cJSON_Delete(docs);
}

/* The answer for content and address, added to doc: what both the
 * ticket's assist and the assist of text being typed give. exclude_id (may
 * be NULL) is left out of the similar tickets; repeats (may be NULL) are
 * the ticket's repeat links. */
static int answer(cJSON *doc, rx_assist *a, rx_kb *kb, rx_tickets *t, const char *content,
                  const char *address, bool leader_day, const char *exclude_id,
                  const cJSON *repeats, double now, double t0)
{
    rx_analyzer an = rx_kb_analyzer(kb);
    int rc =
        rx_assist_set_corpus(a, rx_kb_departments(kb), rx_kb_duties(kb), &an, rx_kb_generation(kb));
    if (rc != RX_OK)
        return rc;
    /* what happened since the background learner's last pass: a return a
     * minute ago changes this suggestion */
    if ((rc = rx_assist_sync(a, t, &an, 2000, NULL)) != RX_OK)
        return rc;
    /* similar past tickets: shown, and their leads vote */
    cJSON *sim = NULL;
    if ((rc = rx_assist_similar(&sim, a, t, content ? content : "", exclude_id, NEIGHBOURS)) !=
        RX_OK)
        return rc;
    const char *names[NEIGHBOURS];
    double weights[NEIGHBOURS];
    size_t nn = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, sim)
    {
        const char *lead = rx_json_str(s, "lead"), *status = rx_json_str(s, "status");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(s, "score");
        /* a lead that took the ticket (签收 or later); a dispatch not yet
         * accepted may still come back */
        if (lead && nn < NEIGHBOURS && status && strcmp(status, "received") != 0 &&
            strcmp(status, "dispatched") != 0) {
            names[nn] = lead;
            weights[nn++] = cJSON_IsNumber(sc) ? sc->valuedouble : 1;
        }
    }
    rx_assist_input in = {.content = content ? content : "",
                          .address = address,
                          .unresolved_repeats = repeats ? unresolved_repeats(t, repeats, now) : 0,
                          .leader_day = leader_day,
                          .neighbours = names,
                          .neighbour_weights = weights,
                          .nneighbours = nn};
    /* the knowledge base's answer: its departments are evidence, its
     * documents the answer, reordered by the suggestion */
    cJSON *res = NULL;
    if ((rc = rx_assist_search(&res, kb, in.content)) != RX_OK) {
        cJSON_Delete(sim);
        return rc;
    }
    const char *hit_names[RX_ASSIST_HIT_EVIDENCE];
    double hit_scores[RX_ASSIST_HIT_EVIDENCE];
    rx_assist_hit_evidence(&in, res, hit_names, hit_scores, RX_ASSIST_HIT_EVIDENCE);
    rx_assist_hint h;
    rc = rx_assist_suggest(&h, a, &an, &in, RX_ASSIST_DEFAULT);
    cJSON *hits = NULL;
    bool confident = false;
    if (rc == RX_OK)
        rc = rx_assist_focus(res, kb, RX_ASSIST_ASK_WEIGHT);
    if (rc == RX_OK) /* takes res */
        rc = rx_assist_documents(&hits, &confident, a, res, &an, &h, RX_ASSIST_DEPT_GAIN, now);
    else
        cJSON_Delete(res);
    if (rc != RX_OK) {
        cJSON_Delete(sim);
        return rc;
    }
    cJSON_AddItemToObject(doc, "documents", hits);
    cJSON_AddBoolToObject(doc, "confident", confident);
    /* shown: the closest few, without the internals */
    cJSON *shown = cJSON_AddArrayToObject(doc, "similar");
    int k = 0;
    cJSON_ArrayForEach(s, sim)
    {
        if (k++ >= SIMILAR_SHOWN)
            break;
        cJSON *o = cJSON_Duplicate(s, true);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "score");
        title_documents(o, kb);
        cJSON_AddItemToArray(shown, o);
    }
    cJSON_Delete(sim);
    cJSON *deps = cJSON_AddArrayToObject(doc, "departments");
    for (size_t i = 0; i < h.ndepts; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", h.depts[i].name);
        cJSON_AddNumberToObject(o, "score", round(h.depts[i].score * 1000) / 1000);
        cJSON_AddStringToObject(o, "why", h.depts[i].why);
        cJSON_AddItemToArray(deps, o);
    }
    cJSON_AddStringToObject(doc, "level", rx_level_name(h.level));
    cJSON *why = cJSON_AddArrayToObject(doc, "level_why");
    for (size_t i = 0; i < h.nreasons; i++)
        cJSON_AddItemToArray(why, cJSON_CreateString(h.reasons[i]));
    if (exclude_id) /* a ticket's answer */
        cJSON_AddItemToObject(doc, "repeat_of",
                              repeats ? cJSON_Duplicate(repeats, true) : cJSON_CreateArray());
    long long events, last;
    rx_assist_progress(a, &events, &last);
    cJSON *m = cJSON_AddObjectToObject(doc, "model");
    cJSON_AddNumberToObject(m, "events_learnt", (double)events);
    cJSON_AddNumberToObject(doc, "took_ms", round((rx_now() - t0) * 1e5) / 100);
    return RX_OK;
}

int rx_assist_ticket(cJSON **out, rx_assist *a, rx_kb *kb, rx_tickets *t, const char *id,
                     const rx_actor *who)
{
    *out = NULL;
    double t0 = rx_now();
    cJSON *tk = NULL;
    int rc = rx_tickets_get(&tk, t, id, who);
    if (rc != RX_OK)
        return rc;
    const char *tid = rx_json_str(tk, "id");
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "ticket", tid ? tid : id);
    const char *channel = rx_json_str(tk, "channel");
    rc = answer(doc, a, kb, t, rx_json_str(tk, "content"), rx_json_str(tk, "address"),
                channel && !strcmp(channel, "leader_day"), tid ? tid : id,
                cJSON_GetObjectItemCaseSensitive(tk, "repeat_of"), who->now, t0);
    cJSON_Delete(tk);
    if (rc == RX_OK)
        *out = doc;
    else
        cJSON_Delete(doc);
    return rc;
}

int rx_assist_text(cJSON **out, rx_assist *a, rx_kb *kb, rx_tickets *t, const char *content,
                   const char *address, double now)
{
    *out = NULL;
    double t0 = rx_now();
    cJSON *doc = cJSON_CreateObject();
    int rc = answer(doc, a, kb, t, content, address, false, NULL, NULL, now, t0);
    if (rc == RX_OK)
        *out = doc;
    else
        cJSON_Delete(doc);
    return rc;
}
