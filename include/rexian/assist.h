/* Agent assist: from a ticket's text and address to the department that
 * should lead it, the dispatch level and the documents that answer it,
 * learning from every call (docs/ASSIST.md).
 *
 * The model learns from the ticket store's event log (rx_tickets_signals):
 * a dispatch the department accepted or whose reply was approved is
 * evidence for it, a return (退单) evidence against; duties.txt seeds
 * every department; a call resolved with documents attaches the words of
 * its searches to those documents (learned terms, with a bounded weight
 * that decays, listed and removed by admins). It is one object shared by
 * every thread; reads run beside each other, learning takes a write lock
 * for the time it takes to apply a batch.
 */
#ifndef REXIAN_ASSIST_H
#define REXIAN_ASSIST_H

#include "rexian/analyzer.h"
#include "rexian/corpus.h"
#include "rexian/kb.h"
#include "rexian/tickets.h"
#include "rexian/workflow.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rx_assist rx_assist;

/* db (may be NULL: nothing kept) holds the terms admins removed, so that
 * they are not learned again. */
int rx_assist_new(rx_assist **out, sqlite3 *db);
void rx_assist_free(rx_assist *a);

/* Seeds the departments from the served index: its department list (a
 * class per department; the governments of districts and counties, named
 * …人民政府 or …管委会, share one class, 属地, resolved by the address)
 * and its duties. Cheap when generation is the one already loaded. */
int rx_assist_set_corpus(rx_assist *a, const rx_departments *deps, const rx_duties *duties,
                         const rx_analyzer *an, long generation);

/* Learns one event of the dispatch loop. */
int rx_assist_observe(rx_assist *a, const rx_analyzer *an, const rx_signal *s);

/* Learns the events the store holds after the last one learnt, at most
 * max of them; *applied (may be NULL) says how many. Only one thread
 * learns at a time: another that finds the model busy returns at once. */
int rx_assist_sync(rx_assist *a, rx_tickets *t, const rx_analyzer *an, int max, long *applied);

/* Refits the linear classifier that stands beside naive Bayes, when it
 * has none yet, the corpus changed, or at least min_new dispatches were
 * kept since the last fit (*done, may be NULL, says whether it refit).
 * The examples are copied under the read lock and fitted with no lock
 * held: suggestions and learning go on meanwhile, and use the new fit once
 * it is swapped in. One refit at a time: another caller returns at once. */
int rx_assist_refit(rx_assist *a, long min_new, bool *done);

/* The last fit's examples and the seconds it took (0 and 0: none yet). */
void rx_assist_fit_info(rx_assist *a, size_t *examples, double *seconds);

/* Events learnt so far, and the last event number. */
void rx_assist_progress(rx_assist *a, long long *events, long long *last);

/* Suggestion for one ticket. */
#define RX_ASSIST_MAX_DEPTS 5
#define RX_ASSIST_MAX_REASONS 10
typedef struct {
    char name[128]; /* canonical */
    double score;   /* posterior probability, 0–1 */
    char why[512];  /* what it rests on, in Chinese */
} rx_dept_hint;
typedef struct {
    rx_dept_hint depts[RX_ASSIST_MAX_DEPTS];
    size_t ndepts;
    rx_level level;
    const char *reasons[RX_ASSIST_MAX_REASONS]; /* static Chinese strings */
    size_t nreasons;
} rx_assist_hint;

typedef struct {
    const char *content;
    const char *address;    /* may be NULL */
    int unresolved_repeats; /* earlier tickets of this caller/place on the same matter, not
                               resolved to the caller's satisfaction */
    bool leader_day; /* raised at a 领导接听日 (the ticket's channel): 现场交办 to a leader */
    /* votes of similar past tickets (kNN): lead names and weights */
    const char *const *neighbours;
    const double *neighbour_weights;
    size_t nneighbours;
    /* the departments of the knowledge-base search's hits for the text,
     * best first, with their scores */
    const char *const *hit_departments;
    const double *hit_scores;
    size_t nhits;
} rx_assist_input;

/* The kinds of evidence for departments; a method mixes some of them. */
typedef enum {
    RX_ASSIST_NB = 1 << 0,   /* naive Bayes over duties and past dispatches */
    RX_ASSIST_KNN = 1 << 1,  /* the leads of similar past tickets (in->neighbours) */
    RX_ASSIST_DUTY = 1 << 2, /* the best-matching duty line */
    RX_ASSIST_HITS = 1 << 3, /* the departments of the search's hits (in->hit_departments) */
    RX_ASSIST_BOTH = RX_ASSIST_NB | RX_ASSIST_KNN,
} rx_assist_method;

/* The method shipped (docs/ASSIST.md compares them). */
#define RX_ASSIST_DEFAULT (RX_ASSIST_NB | RX_ASSIST_DUTY | RX_ASSIST_KNN | RX_ASSIST_HITS)

/* Departments (at least three when the model knows as many) and the level
 * for in, by method (rx_assist_method bits). */
int rx_assist_suggest(rx_assist_hint *out, rx_assist *a, const rx_analyzer *an,
                      const rx_assist_input *in, unsigned method);

/* Past tickets like text, best first (rx_tickets_similar's answer), found
 * by its most telling bigrams; never exclude_id. */
int rx_assist_similar(cJSON **out, rx_assist *a, rx_tickets *store, const char *text,
                      const char *exclude_id, int limit);

/* The assist of ticket id as who may see it: {"ticket","documents",
 * "confident","similar","departments","level","level_why","repeat_of",
 * "model","took_ms"}. Seeds the model from kb's corpus and learns what the
 * store logged since the last pass first. RX_ENOTFOUND for an unknown
 * ticket (or one a department may not see). */
int rx_assist_ticket(cJSON **out, rx_assist *a, rx_kb *kb, rx_tickets *t, const char *id,
                     const rx_actor *who);

/* The assist of text not yet in a ticket (the 诉求 as it is typed):
 * rx_assist_ticket's answer without "ticket" and "repeat_of". address may
 * be NULL. */
int rx_assist_text(cJSON **out, rx_assist *a, rx_kb *kb, rx_tickets *t, const char *content,
                   const char *address, double now);

/* text without the call-taker's framing of a ticket (来电人反映, 市民来电称,
 * 网友留言：), into out (cap bytes, NUL ended; cut at a character; nothing
 * when cap is 0). */
void rx_assist_unframe(char *out, size_t cap, const char *text);

/* The knowledge-base search assist runs for a text, unframed (its first
 * 1,000 bytes; 30 hits, for learned terms and the department suggestion to
 * reorder): *res is rx_kb_search's answer, noting its first hit as vouched
 * for when its confidence reaches the assist's threshold for a ticket's
 * text. */
int rx_assist_search(cJSON **res, rx_kb *kb, const char *text);

/* A ticket's text tells a story and asks (外地户口在株洲租房住，办居住证要么子
 *条件): fuses into res (rx_assist_search's answer) the search of the
 * clauses that ask alone, a hit's score becoming its score plus weight ×
 * its share of the question's best hit on the same scale, and the hits
 * reordered; the question's first hit is vouched for when that search is
 * very confident of it. Nothing changes when no clause asks or every one
 * does.
 * docs/ASSIST.md has the measurements. */
#define RX_ASSIST_ASK_WEIGHT 0.4
int rx_assist_focus(cJSON *res, rx_kb *kb, double weight);

/* Points in's hit evidence at the departments and scores of the first max
 * hits of res (names borrowed from res; names and scores hold max). */
void rx_assist_hit_evidence(rx_assist_input *in, const cJSON *res, const char **names,
                            double *scores, size_t max);
#define RX_ASSIST_HIT_EVIDENCE 10

/* The documents for a ticket's text, best first: the hits of res
 * (rx_assist_search's answer, taken), reordered by the terms learned for
 * its query and then by the department suggestion h (a hit's score × (1 +
 * dept_gain × the probability of its department); h may be NULL). *hits is
 * a JSON array of search hits, at most 5; *confident is about the first of
 * them: whether a search vouched for that document (rx_assist_search,
 * rx_assist_focus), not whether the search was sure of its own first hit,
 * which the reordering may have moved. */
#define RX_ASSIST_DEPT_GAIN 0.5
int rx_assist_documents(cJSON **hits, bool *confident, rx_assist *a, cJSON *res,
                        const rx_analyzer *an, const rx_assist_hint *h, double dept_gain,
                        double now);

/* ---- resolution feeds ranking ---- */

/* Reorders search hits (the "hits" array of a search answer, each with
 * "id" and "score") by what past resolutions teach about query: a hit's
 * score is multiplied by 1 + RX_LEARNED_GAIN × its learned share, and
 * "learned" is added to the hits it moved. Returns whether anything was
 * learned for the query. */
#define RX_LEARNED_GAIN 0.5
bool rx_assist_rerank(rx_assist *a, const rx_analyzer *an, const char *query, cJSON *hits,
                      double now);

/* Whether any learned term of query exists (to widen the search first). */
bool rx_assist_has_learned(rx_assist *a, const rx_analyzer *an, const char *query);

/* The learned terms, strongest first, optionally of one document:
 * [{"term","doc","weight","resolutions","last"}] (weight decayed to now). */
cJSON *rx_assist_learned(rx_assist *a, const char *doc, double now, int limit);

/* Removes what was learned for doc (all its terms when term is NULL) and
 * keeps it from being learned again. RX_ENOTFOUND when nothing matched. */
int rx_assist_forget(rx_assist *a, const char *doc, const char *term, const char *by, double now);

#endif
