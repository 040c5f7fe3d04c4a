// The Xapian shim: the only C++ in rexian. Every entry point catches every
// exception and turns it into an RX_* status with a message, as notmuch's
// lib/query.cc does; nothing here knows about Chinese or the corpus.
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unordered_map>
#include <vector>

extern "C" {
#include "rexian/error.h"
#include "rexian/search.h"
#include "rexian/text.h"
}

namespace
{

template <typename F> int guarded(const char *what, F &&f)
{
    try {
        return f();
    } catch (const Xapian::DatabaseLockError &e) {
        return rx_error_set(RX_ECONFLICT, "%s: index is locked by another writer: %s", what,
                            e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return rx_error_set(RX_ENOTFOUND, "%s: cannot open index: %s", what, e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        return rx_error_set(RX_EINDEX, "%s: %s: %s", what, e.get_type(), e.get_msg().c_str());
    } catch (const std::bad_alloc &) {
        return rx_error_set(RX_ENOMEM, "%s: out of memory", what);
    } catch (const std::exception &e) {
        return rx_error_set(RX_EINDEX, "%s: %s", what, e.what());
    } catch (...) {
        return rx_error_set(RX_EINDEX, "%s: unknown error", what);
    }
}

char *dup_string(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

const double COMMON_SHARE = 0.15;
// A common term left out of the match has a stand-in: the same term in the
// title field ("T"), where it is rare, so that the document whose title
// names the common thing (身份证, 办理) still ranks for it. Only a title
// term in at most TITLE_SHARE of the documents, and the TITLE_STANDINS
// rarest of a query: a ticket's long story leaves out many common words
// (docs/RELEVANCE.md, session 20).
const double TITLE_SHARE = 0.05;
const size_t TITLE_STANDINS = 3;
const size_t MAX_TYPOS = 3;
// Single characters are a backoff: like other terms, only those in at most
// COMMON_SHARE of the documents, and only the MAX_CHARS rarest of a query
// (measured: the same relevance as all of them, docs/RELEVANCE.md).
const size_t MAX_CHARS = 12;
// ... and together they walk at most this many postings, the rarest first:
// the matcher's work on them stays bounded as the corpus grows. Below about
// 5,500 documents it never binds (12 terms in at most 15% each; 2,800 for a
// long question, whose characters may be in 30%); at 100,000
// it keeps the rare characters that tell and drops the common ones, which
// took a third of the in-process p99 (docs/BENCHMARKS.md, session 18).
const size_t CHAR_POSTINGS = 10000;
// A long spoken question (more than LONG_QUESTION rare word terms) says the
// thing in the caller's words, which share characters more often than
// bigrams with the document's (docs/RELEVANCE.md, session 21): its character
// terms weigh LONG_CHAR_SCALE times more, and may be in up to LONG_CHAR_SHARE
// of the documents. A short query's words are meant; characters would blur it.
const size_t LONG_QUESTION = 10;
const double LONG_CHAR_SHARE = 0.30;
const double LONG_CHAR_SCALE = 1.4;
// In a short query, a character whose every bigram in the query is unknown
// to the index (白蚂蚁 where the documents say 白蚁) is all that is left of
// that part of the query: it weighs ORPHAN_CHAR_SCALE times more
// (docs/RELEVANCE.md, session 21).
const double ORPHAN_CHAR_SCALE = 2.0;
// A spelled pair of syllables stands for its most frequent few bigrams.
const size_t MAX_SPELLED_BIGRAMS = 10;
const char NO_EFFECTIVE[] = "0000-00-00";

} // namespace

struct rx_writer {
    Xapian::WritableDatabase db;
};

// One facet's value for every document of an open database, read once from
// the value stream: Xapian's ValueCountMatchSpy looks each document's value up
// in the B-tree (a seek into the slot's chunk and a linear skip within it),
// which cost a tenth of a search at 100,000 documents.
struct facet_table {
    std::vector<std::string> names; // the distinct values
    std::vector<uint32_t> of;       // docid -> index into names + 1; 0 for none
};

struct rx_index {
    std::string path;    // as given
    std::string stub;    // path of the generation stub in an index directory, or ""
    struct stat stub_st; // what the stub was when last opened
    Xapian::Database db;
    unsigned long epoch = 0;        // counts the views of the index db has had
    unsigned long facets_epoch = 0; // the view the tables below describe (0: none)
    bool facets_remote = false;     // db has a remote part: its servers count the values
    facet_table departments, types;
    // Term frequencies looked up in the view tf_epoch (they do not change
    // within a view): a hotline's queries share most of their words, and
    // each lookup is a B-tree descent (a tenth of a search at 100,000
    // documents, docs/BENCHMARKS.md).
    std::unordered_map<std::string, Xapian::doccount> tf_cache;
    unsigned long tf_epoch = 0;
};

// At most this many terms' frequencies are kept per reader (a few MB); the
// cache starts again when it is full.
const size_t TF_CACHE_MAX = 65536;

// The number of documents holding term in ix's current view.
static Xapian::doccount termfreq(rx_index *ix, const std::string &term)
{
    if (ix->tf_epoch != ix->epoch) {
        ix->tf_cache.clear();
        ix->tf_epoch = ix->epoch;
    }
    auto it = ix->tf_cache.find(term);
    if (it != ix->tf_cache.end())
        return it->second;
    Xapian::doccount tf = ix->db.get_termfreq(term);
    if (ix->tf_cache.size() >= TF_CACHE_MAX)
        ix->tf_cache.clear();
    ix->tf_cache.emplace(term, tf);
    return tf;
}

extern "C" int rx_writer_open(rx_writer **out, const char *dir)
{
    *out = nullptr;
    return guarded("open index for writing", [&]() -> int {
        std::unique_ptr<rx_writer> w(new rx_writer{
            Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS)});
        *out = w.release();
        return RX_OK;
    });
}

extern "C" int rx_writer_put(rx_writer *w, const char *id, const char *department, const char *type,
                             const char *effective, const char *expires, const rx_strmap *terms,
                             const char *data, size_t data_len, size_t head_len)
{
    return guarded("add document", [&]() -> int {
        Xapian::Document doc;
        doc.set_data(std::string(data, data_len));
        if (head_len > 0 && head_len <= data_len)
            doc.add_value(RX_SLOT_HEAD, std::string(data, head_len));
        std::string idterm = std::string("Q") + id;
        doc.add_boolean_term(idterm);
        doc.add_boolean_term(std::string("XD") + department);
        doc.add_boolean_term(std::string("XT") + type);
        doc.add_value(RX_SLOT_EFFECTIVE, effective && *effective ? effective : NO_EFFECTIVE);
        // Most documents never expire: they have no value in this slot, so
        // that the expiry filter walks only the short value stream of those
        // that do.
        if (expires && *expires)
            doc.add_value(RX_SLOT_EXPIRES, expires);
        doc.add_value(RX_SLOT_DEPARTMENT, department);
        doc.add_value(RX_SLOT_TYPE, type);
        for (size_t k = 0; k < terms->count; k++) {
            const rx_strmap_entry &e = terms->entries[k];
            if (e.klen == 0 || e.klen > 240)
                continue; // Xapian's term length limit
            doc.add_term(std::string(e.key, e.klen), static_cast<Xapian::termcount>(e.value));
        }
        // ids are unique (the indexer checks, and deletes old versions first)
        w->db.add_document(doc);
        return RX_OK;
    });
}

extern "C" int rx_writer_add_homophone(rx_writer *w, const char *key, const char *term)
{
    return guarded("add homophone", [&]() -> int {
        w->db.add_synonym(key, term);
        return RX_OK;
    });
}

extern "C" int rx_writer_delete(rx_writer *w, const char *id)
{
    return guarded("delete document", [&]() -> int {
        w->db.delete_document(std::string("Q") + id);
        return RX_OK;
    });
}

extern "C" int rx_writer_set_meta(rx_writer *w, const char *key, const char *value)
{
    return guarded("set metadata", [&]() -> int {
        w->db.set_metadata(key, value ? value : "");
        return RX_OK;
    });
}

extern "C" int rx_writer_set_meta_n(rx_writer *w, const char *key, const char *value, size_t len)
{
    return guarded("set metadata", [&]() -> int {
        w->db.set_metadata(key, std::string(value, len));
        return RX_OK;
    });
}

extern "C" int rx_writer_commit(rx_writer *w)
{
    return guarded("commit index", [&]() -> int {
        w->db.commit();
        return RX_OK;
    });
}

extern "C" size_t rx_writer_doccount(rx_writer *w)
{
    size_t n = 0;
    guarded("count documents", [&]() -> int {
        n = w->db.get_doccount();
        return RX_OK;
    });
    return n;
}

extern "C" int rx_writer_close(rx_writer *w)
{
    if (!w)
        return RX_OK;
    int rc = guarded("close index", [&]() -> int {
        w->db.commit();
        w->db.close();
        return RX_OK;
    });
    delete w;
    return rc;
}

extern "C" int rx_index_compact(const char *const *srcs, size_t n, const char *dst)
{
    return guarded("compact index", [&]() -> int {
        Xapian::Database all;
        for (size_t k = 0; k < n; k++)
            all.add_database(Xapian::Database(srcs[k]));
        all.compact(dst, Xapian::DBCOMPACT_MULTIPASS);
        return RX_OK;
    });
}

/* ---- readers ---- */

static void open_db(rx_index *ix)
{
    if (!ix->stub.empty()) {
        // an index directory: DIR/current is a stub naming the live generation
        struct stat st;
        if (stat(ix->stub.c_str(), &st) == 0)
            ix->stub_st = st;
        ix->db = Xapian::Database(ix->stub, Xapian::DB_BACKEND_STUB);
    } else {
        ix->db = Xapian::Database(ix->path);
    }
    ix->epoch++;
    ix->facets_remote = false;
}

extern "C" int rx_index_open(rx_index **out, const char *path)
{
    *out = nullptr;
    return guarded("open index", [&]() -> int {
        std::unique_ptr<rx_index> ix(new rx_index());
        ix->path = path;
        struct stat st;
        std::string stub = std::string(path) + "/current";
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && stat(stub.c_str(), &st) == 0)
            ix->stub = stub;
        else if (stat(path, &st) != 0)
            return rx_error_set(RX_ENOTFOUND, "index %s does not exist (run `rexian index` first)",
                                path);
        open_db(ix.get());
        *out = ix.release();
        return RX_OK;
    });
}

extern "C" int rx_index_refresh(rx_index *ix, bool *changed)
{
    if (changed)
        *changed = false;
    return guarded("refresh index", [&]() -> int {
        if (!ix->stub.empty()) {
            struct stat st;
            if (stat(ix->stub.c_str(), &st) == 0 &&
                (st.st_ino != ix->stub_st.st_ino ||
                 st.st_mtim.tv_sec != ix->stub_st.st_mtim.tv_sec ||
                 st.st_mtim.tv_nsec != ix->stub_st.st_mtim.tv_nsec)) {
                open_db(ix);
                if (changed)
                    *changed = true;
                return RX_OK;
            }
            // generations are never modified once published
            return RX_OK;
        }
        bool c = ix->db.reopen();
        if (c)
            ix->epoch++;
        if (changed)
            *changed = c;
        return RX_OK;
    });
}

extern "C" void rx_index_free(rx_index *ix)
{
    delete ix;
}

extern "C" size_t rx_index_doccount(rx_index *ix)
{
    size_t n = 0;
    guarded("count documents", [&]() -> int {
        n = ix->db.get_doccount();
        return RX_OK;
    });
    return n;
}

// Runs f, reopening the database and retrying once if a writer modified it
// underneath us.
template <typename F> static int with_retry(rx_index *ix, const char *what, F &&f)
{
    return guarded(what, [&]() -> int {
        try {
            return f();
        } catch (const Xapian::DatabaseModifiedError &) {
            ix->db.reopen();
            ix->epoch++;
            return f();
        }
    });
}

extern "C" int rx_index_meta_n(rx_index *ix, const char *key, char **out, size_t *len)
{
    *out = nullptr;
    return with_retry(ix, "read metadata", [&]() -> int {
        std::string v = ix->db.get_metadata(key);
        *out = dup_string(v);
        *len = v.size();
        return RX_OK;
    });
}

extern "C" int rx_index_meta(rx_index *ix, const char *key, char **out)
{
    *out = nullptr;
    return with_retry(ix, "read metadata", [&]() -> int {
        *out = dup_string(ix->db.get_metadata(key));
        return RX_OK;
    });
}

extern "C" int rx_index_each_meta(rx_index *ix, const char *prefix, rx_meta_fn fn, void *ctx)
{
    return with_retry(ix, "list metadata", [&]() -> int {
        for (auto it = ix->db.metadata_keys_begin(prefix); it != ix->db.metadata_keys_end(prefix);
             ++it) {
            std::string v = ix->db.get_metadata(*it);
            fn(ctx, (*it).c_str(), v.c_str(), v.size());
        }
        return RX_OK;
    });
}

extern "C" int rx_index_get(rx_index *ix, const char *id, char **data, size_t *len)
{
    *data = nullptr;
    return with_retry(ix, "get document", [&]() -> int {
        std::string term = std::string("Q") + id;
        Xapian::PostingIterator p = ix->db.postlist_begin(term);
        if (p == ix->db.postlist_end(term))
            return rx_error_set(RX_ENOTFOUND, "no document with id '%s'", id);
        std::string d = ix->db.get_document(*p).get_data();
        *data = dup_string(d);
        if (len)
            *len = d.size();
        return RX_OK;
    });
}

// What build_query learnt about each plan term, for the explanation of the
// best matches: its frequency, whether it ran, and which index terms stand
// for it (a pinyin term: the homophones it asked for).
struct plan_terms {
    std::vector<double> freq;
    std::vector<bool> used;
    std::unordered_map<std::string, size_t> owner; // index term → plan term
    std::vector<size_t> wildcards;                 // plan terms expanded by prefix
};

// The bigrams of the index a spelled term ("Ygong ji") can stand for,
// most frequent first, at most MAX_SPELLED_BIGRAMS: those under the pinyin
// keys its syllables can be (a polyphone's other reading is keyed under the
// table's: yin hang is looked up under "Pyin xing" too), whose characters
// can each be read so (银行, not 银杏).
static std::vector<std::pair<Xapian::doccount, std::string>> spelled_bigrams(rx_index *ix,
                                                                             const char *term)
{
    std::vector<std::pair<Xapian::doccount, std::string>> out;
    const char *space = std::strchr(term + 1, ' ');
    if (!space)
        return out;
    char syl[2][8];
    std::snprintf(syl[0], sizeof syl[0], "%.*s", static_cast<int>(space - term - 1), term + 1);
    std::snprintf(syl[1], sizeof syl[1], "%s", space + 1);
    std::vector<std::string> keys;
    rx_pinyin_sounds(
        syl, 2,
        [](void *ctx, const char *key, size_t len) {
            static_cast<std::vector<std::string> *>(ctx)->emplace_back("P" + std::string(key, len));
        },
        &keys);
    for (const std::string &key : keys)
        for (auto it = ix->db.synonyms_begin(key); it != ix->db.synonyms_end(key); ++it) {
            const std::string &bg = *it;
            uint32_t c1, c2;
            if (bg.size() != 6 || rx_utf8_next(bg.data(), 6, &c1) != 3 ||
                rx_utf8_next(bg.data() + 3, 3, &c2) != 3 || !rx_pinyin_reads(c1, syl[0]) ||
                !rx_pinyin_reads(c2, syl[1]))
                continue;
            Xapian::doccount tf = termfreq(ix, bg);
            if (tf > 0)
                out.emplace_back(tf, bg);
        }
    std::sort(out.begin(), out.end(), std::greater<>());
    if (out.size() > MAX_SPELLED_BIGRAMS)
        out.resize(MAX_SPELLED_BIGRAMS);
    return out;
}

// Whether the character term k stands alone: the query's bigrams that hold
// its character (one each side at most) are all absent from the index.
static bool orphan_char(const rx_query_plan *plan, const std::vector<Xapian::doccount> &tf,
                        size_t k)
{
    const char *ch = plan->terms[k].term + 1;
    const size_t cl = std::strlen(ch);
    bool any = false;
    for (size_t j = 0; j < plan->nterms; j++) {
        const rx_qterm &b = plan->terms[j];
        if ((b.kind != RX_QT_BIGRAM && b.kind != RX_QT_STOP) || b.wildcard)
            continue;
        const size_t bl = std::strlen(b.term);
        uint32_t cp;
        const size_t first = rx_utf8_next(b.term, bl, &cp);
        if (first == 0 || first >= bl)
            continue; // not two characters
        const bool holds = (first == cl && !std::strncmp(b.term, ch, cl)) ||
                           (bl - first == cl && !std::strncmp(b.term + first, ch, cl));
        if (!holds)
            continue;
        if (tf[j] > 0)
            return false;
        any = true;
    }
    return any;
}

static Xapian::Query build_query(rx_index *ix, const rx_query_plan *plan, size_t max_terms,
                                 size_t char_postings, plan_terms &pt)
{
    const Xapian::Database &db = ix->db;
    pt.freq.assign(plan->nterms, 0);
    pt.used.assign(plan->nterms, false);
    std::vector<Xapian::Query> parts, backoff;
    parts.reserve(plan->nterms);
    // rarer than this and a query bigram may be a typo
    const Xapian::doccount typo_tf = std::max<Xapian::doccount>(3, db.get_doccount() / 2000);
    // Terms in more than COMMON_SHARE of the documents are long posting lists
    // that barely move the ranking; they are left out when at least two
    // rarer terms carry the query.
    const Xapian::doccount common_tf = std::max<Xapian::doccount>(
        20, static_cast<Xapian::doccount>(db.get_doccount() * COMMON_SHARE));
    const Xapian::doccount long_char_tf = std::max<Xapian::doccount>(
        common_tf, static_cast<Xapian::doccount>(db.get_doccount() * LONG_CHAR_SHARE));
    // each term's frequency (a pinyin term's: its bigram's), looked up once
    std::vector<Xapian::doccount> tf(plan->nterms, 0);
    size_t rare_terms = 0;
    std::vector<std::pair<Xapian::doccount, size_t>> typos, chars;

    for (size_t k = 0; k < plan->nterms; k++) {
        const rx_qterm &t = plan->terms[k];
        if (t.kind == RX_QT_SPELLED) {
            continue;
        } else if (t.term[0] == 'P') {
            tf[k] = t.base ? termfreq(ix, t.base) : 0;
            if (t.base)
                typos.emplace_back(tf[k], k);
        } else if (t.kind == RX_QT_TITLE) {
            continue; // looked up below, and only as a common term's stand-in
        } else if (!t.wildcard) {
            tf[k] = termfreq(ix, t.term);
            if (t.kind == RX_QT_CHAR) {
                if (tf[k] > 0 && tf[k] <= long_char_tf)
                    chars.emplace_back(tf[k], k);
            } else {
                rare_terms += tf[k] <= common_tf;
            }
        }
    }
    const bool long_question = rare_terms > LONG_QUESTION;
    if (!long_question)
        chars.erase(std::remove_if(chars.begin(), chars.end(),
                                   [&](const auto &c) { return c.first > common_tf; }),
                    chars.end());
    const bool drop_common = rare_terms >= 2;
    // the title stand-ins of the common terms left out, the rarest first
    std::vector<bool> standin(plan->nterms, false);
    if (drop_common) {
        const Xapian::doccount title_tf = std::max<Xapian::doccount>(
            20, static_cast<Xapian::doccount>(db.get_doccount() * TITLE_SHARE));
        std::vector<std::pair<Xapian::doccount, size_t>> titles;
        for (size_t k = 0; k < plan->nterms; k++) {
            const rx_qterm &t = plan->terms[k];
            // the base's frequency is in the cache since the loop above
            if (t.kind != RX_QT_TITLE || !t.base || termfreq(ix, t.base) <= common_tf)
                continue;
            tf[k] = termfreq(ix, t.term);
            if (tf[k] > 0 && tf[k] <= title_tf)
                titles.emplace_back(tf[k], k);
        }
        std::sort(titles.begin(), titles.end());
        for (size_t i = 0; i < titles.size() && i < TITLE_STANDINS; i++)
            standin[titles[i].second] = true;
    }
    // the rarest first: at most MAX_CHARS of them, walking at most
    // char_postings postings together
    std::sort(chars.begin(), chars.end());
    size_t keep = 0;
    for (size_t walked = 0;
         keep < chars.size() && keep < MAX_CHARS && walked + chars[keep].first <= char_postings;
         keep++)
        walked += chars[keep].first;
    chars.resize(keep);
    std::vector<bool> char_kept(plan->nterms, false);
    for (const auto &c : chars)
        char_kept[c.second] = true;
    // the MAX_TYPOS pinyin terms whose bigram is rarest
    std::sort(typos.begin(), typos.end());
    if (typos.size() > MAX_TYPOS)
        typos.resize(MAX_TYPOS);
    auto typo_candidate = [&](size_t k) {
        for (const auto &t : typos)
            if (t.second == k)
                return true;
        return false;
    };
    for (size_t k = 0; k < plan->nterms; k++) {
        const rx_qterm &t = plan->terms[k];
        if (t.kind == RX_QT_SPELLED) {
            std::vector<std::pair<Xapian::doccount, std::string>> cands =
                spelled_bigrams(ix, t.term);
            if (cands.empty())
                continue;
            std::vector<Xapian::Query> alts;
            for (const auto &c : cands) {
                alts.emplace_back(c.second);
                pt.owner.emplace(c.second, k);
            }
            // one term, not a choice of terms: a rare reading (地保 for di
            // bao) must not outweigh the common one (低保) on its idf
            Xapian::Query q(Xapian::Query::OP_SYNONYM, alts.begin(), alts.end());
            parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, q, t.weight);
            pt.freq[k] = static_cast<double>(cands[0].first);
            pt.used[k] = true;
            continue;
        }
        if (t.term[0] == 'P') {
            // A pinyin pair. Only a bigram that is rare in the index looks like
            // a typo, and only the rarest few of a query are taken (a spoken
            // question has many rare bigrams across word boundaries, a typo
            // touches one or two); each then also asks for its more common
            // homophones, the most common first.
            Xapian::doccount base_tf = tf[k];
            if (base_tf > typo_tf || !typo_candidate(k))
                continue;
            std::vector<std::pair<Xapian::doccount, std::string>> cands;
            for (auto it = db.synonyms_begin(t.term); it != db.synonyms_end(t.term); ++it) {
                Xapian::doccount alt_tf = termfreq(ix, *it);
                if (alt_tf > base_tf)
                    cands.emplace_back(alt_tf, *it);
            }
            std::sort(cands.begin(), cands.end(), std::greater<>());
            std::vector<Xapian::Query> alts;
            for (size_t c = 0; c < cands.size() && c < 4; c++) {
                alts.emplace_back(cands[c].second);
                pt.owner.emplace(cands[c].second, k); // a query bigram keeps its own
            }
            if (!alts.empty()) {
                parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT,
                                   Xapian::Query(Xapian::Query::OP_OR, alts.begin(), alts.end()),
                                   t.weight);
                pt.freq[k] = static_cast<double>(cands[0].first);
                pt.used[k] = true;
            }
            continue;
        }
        pt.freq[k] = static_cast<double>(tf[k]);
        if (t.kind == RX_QT_CHAR    ? !char_kept[k]
            : t.kind == RX_QT_TITLE ? !standin[k]
                                    : drop_common && !t.wildcard && tf[k] > common_tf)
            continue;
        pt.used[k] = true;
        if (t.wildcard)
            pt.wildcards.push_back(k);
        else
            pt.owner[t.term] = k;
        Xapian::Query q = t.wildcard ? Xapian::Query(Xapian::Query::OP_WILDCARD, t.term, 64,
                                                     Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT)
                                     : Xapian::Query(t.term);
        double w = t.weight;
        if (t.kind == RX_QT_CHAR && long_question)
            w *= LONG_CHAR_SCALE;
        else if (t.kind == RX_QT_CHAR && orphan_char(plan, tf, k))
            w *= ORPHAN_CHAR_SCALE;
        if (w != 1.0)
            q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, w);
        (t.kind == RX_QT_CHAR ? backoff : parts).push_back(q);
    }
    // A long spoken question: only its max_terms most telling words (highest
    // possible weight) are run, which bounds the matcher's work; the few
    // character terms stay beside them.
    if (max_terms && parts.size() > max_terms) {
        Xapian::Query elite(Xapian::Query::OP_ELITE_SET, parts.begin(), parts.end(),
                            static_cast<Xapian::termcount>(max_terms));
        parts.assign(1, elite);
    }
    parts.insert(parts.end(), backoff.begin(), backoff.end());
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

static void load_facet(const Xapian::Database &db, Xapian::valueno slot, facet_table &t)
{
    t.names.clear();
    t.of.assign(static_cast<size_t>(db.get_lastdocid()) + 1, 0);
    std::unordered_map<std::string, uint32_t> index;
    for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) {
        auto ins = index.emplace(*it, static_cast<uint32_t>(t.names.size() + 1));
        if (ins.second)
            t.names.push_back(*it);
        Xapian::docid id = it.get_docid();
        if (id < t.of.size())
            t.of[id] = ins.first->second;
    }
}

// Whether the facets can be counted from the tables (read now if need be):
// not over a remote database, which streams no values and runs only the
// match spies it can rebuild on its side.
static bool load_facets(rx_index *ix)
{
    if (ix->facets_remote)
        return false;
    if (ix->facets_epoch == ix->epoch)
        return true;
    try {
        load_facet(ix->db, RX_SLOT_DEPARTMENT, ix->departments);
        load_facet(ix->db, RX_SLOT_TYPE, ix->types);
    } catch (const Xapian::UnimplementedError &) {
        ix->facets_remote = true;
        return false;
    }
    ix->facets_epoch = ix->epoch;
    return true;
}

// The scheme a search ranks with: BM25 with weak length normalisation ships;
// the others are there to be measured against it (tests/eval).
static void set_weighting(Xapian::Enquire &enq, const rx_search_opts *o)
{
    double p = o->weight_param;
    switch (o->weighting) {
    case RX_WEIGHT_LM:
        enq.set_weighting_scheme(
            Xapian::LMWeight(0, Xapian::Weight::DIRICHLET_SMOOTHING, p > 0 ? p : 2000, 0));
        return;
    case RX_WEIGHT_DPH: enq.set_weighting_scheme(Xapian::DPHWeight()); return;
    case RX_WEIGHT_PL2: enq.set_weighting_scheme(Xapian::PL2Weight()); return;
    case RX_WEIGHT_INL2: enq.set_weighting_scheme(Xapian::InL2Weight()); return;
    case RX_WEIGHT_BM25: break;
    }
    enq.set_weighting_scheme(
        Xapian::BM25Weight(o->k1 > 0 ? o->k1 : 1.2, 0, 1, o->b > 0 ? o->b : 0.3, 0.5));
}

// Facets as the API gives them: by count, most first, then by value, as
// ValueCountMatchSpy::top_values_begin orders them.
static rx_facet *facets_of(std::vector<std::pair<std::string, Xapian::doccount>> v, size_t *n)
{
    std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    *n = 0;
    rx_facet *f = static_cast<rx_facet *>(std::calloc(v.empty() ? 1 : v.size(), sizeof *f));
    if (!f)
        throw std::bad_alloc();
    for (const auto &e : v) {
        f[*n].value = dup_string(e.first);
        f[*n].count = e.second;
        (*n)++;
    }
    return f;
}

static rx_facet *collect_facets(const Xapian::ValueCountMatchSpy &spy, size_t *n)
{
    std::vector<std::pair<std::string, Xapian::doccount>> v;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it)
        v.emplace_back(*it, it.get_termfreq());
    return facets_of(std::move(v), n);
}

// Counts one facet of the documents the matcher looks at, as
// ValueCountMatchSpy does, from the table of the view being searched (a view
// is a snapshot: every document the matcher sees is in it).
class facet_spy : public Xapian::MatchSpy
{
  public:
    explicit facet_spy(const facet_table &t) : table(t), counts(t.names.size() + 1, 0) {}
    void operator()(const Xapian::Document &doc, double) override
    {
        Xapian::docid id = doc.get_docid();
        if (id < table.of.size())
            counts[table.of[id]]++;
    }
    rx_facet *collect(size_t *n) const
    {
        std::vector<std::pair<std::string, Xapian::doccount>> v;
        for (size_t k = 1; k < counts.size(); k++)
            if (counts[k])
                v.emplace_back(table.names[k - 1], counts[k]);
        return facets_of(std::move(v), n);
    }

  private:
    const facet_table &table;
    std::vector<Xapian::doccount> counts; // by index into the table's names + 1
};

// What explaining a match needs of the query: its index terms in order, so
// that each match's term list is walked once, skipping to them
// (Enquire::get_matching_terms looks every term of the document up in a map
// instead), and the plan terms expanded by prefix.
struct rx_explainer {
    std::vector<std::pair<std::string, size_t>> wanted; // index term, plan term
    std::vector<std::pair<std::string, size_t>> prefixes;
};

// Marks which plan terms match k contains.
static void explain_row(rx_results *r, const Xapian::Database &db, size_t k)
{
    const rx_explainer &e = *r->explainer;
    unsigned char *hit = r->matched + k * r->nterms;
    Xapian::docid did = r->matches[k].docid;
    auto t = db.termlist_begin(did), end = db.termlist_end(did);
    for (const auto &w : e.wanted) {
        t.skip_to(w.first);
        if (t == end)
            break;
        if (*t == w.first)
            hit[w.second] = 1;
    }
    for (const auto &w : e.prefixes) {
        auto p = db.termlist_begin(did);
        p.skip_to(w.first);
        if (p != end && (*p).compare(0, w.first.size(), w.first) == 0)
            hit[w.second] = 1;
    }
    r->explained[k] = true;
}

// Fills the per-term facts and, for the best `depth` matches, which plan
// terms each contains (the others on demand: rx_index_explain).
static void explain(rx_results *r, const Xapian::Database &db, const rx_query_plan *plan,
                    const plan_terms &pt, size_t depth)
{
    size_t nt = plan->nterms;
    r->nterms = nt;
    r->term_freq = static_cast<double *>(std::calloc(nt ? nt : 1, sizeof(double)));
    r->used = static_cast<bool *>(std::calloc(nt ? nt : 1, sizeof(bool)));
    if (!r->term_freq || !r->used)
        throw std::bad_alloc();
    for (size_t k = 0; k < nt; k++) {
        r->term_freq[k] = pt.freq[k];
        r->used[k] = pt.used[k];
    }
    if (r->n == 0 || nt == 0)
        return;
    r->matched = static_cast<unsigned char *>(std::calloc(r->n * nt, 1));
    r->explained = static_cast<bool *>(std::calloc(r->n, sizeof(bool)));
    if (!r->matched || !r->explained)
        throw std::bad_alloc();
    r->explainer = new rx_explainer();
    r->explainer->wanted.assign(pt.owner.begin(), pt.owner.end());
    std::sort(r->explainer->wanted.begin(), r->explainer->wanted.end());
    for (size_t w : pt.wildcards)
        r->explainer->prefixes.emplace_back(plan->terms[w].term, w);
    for (size_t k = 0; k < std::min<size_t>(depth, r->n); k++)
        explain_row(r, db, k);
}

// Runs f on the view of the index the search r came from; RX_ECONFLICT if
// the reader has moved on (its document ids may name other documents).
template <typename F> static int in_view(rx_index *ix, const rx_results *r, const char *what, F &&f)
{
    return with_retry(ix, what, [&]() -> int {
        if (r->epoch != ix->epoch)
            return rx_error_set(RX_ECONFLICT, "the index changed since the search");
        return f();
    });
}

extern "C" int rx_index_explain(rx_index *ix, rx_results *r, size_t k)
{
    if (k >= r->n || !r->explainer || r->explained[k])
        return RX_OK;
    return in_view(ix, r, "explain match", [&]() -> int {
        explain_row(r, ix->db, k);
        return RX_OK;
    });
}

extern "C" void rx_results_free(rx_results *r)
{
    if (!r)
        return;
    std::free(r->term_freq);
    std::free(r->used);
    std::free(r->matched);
    std::free(r->explained);
    delete r->explainer;
    for (size_t k = 0; k < r->n; k++)
        std::free(r->matches[k].data);
    std::free(r->matches);
    for (size_t k = 0; k < r->ndepartments; k++)
        std::free(r->departments[k].value);
    for (size_t k = 0; k < r->ntypes; k++)
        std::free(r->types[k].value);
    std::free(r->departments);
    std::free(r->types);
    std::free(r);
}

extern "C" int rx_index_search(rx_results **out, rx_index *ix, const rx_query_plan *plan,
                               const rx_search_opts *o)
{
    *out = nullptr;
    rx_results *r = static_cast<rx_results *>(std::calloc(1, sizeof *r));
    if (!r)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = with_retry(ix, "search", [&]() -> int {
        rx_results_free(r);
        r = static_cast<rx_results *>(std::calloc(1, sizeof *r));
        if (!r)
            throw std::bad_alloc();
        if (plan->nterms == 0)
            return RX_OK;
        plan_terms pt;
        Xapian::Query q = build_query(ix, plan, o->max_terms,
                                      o->char_postings ? o->char_postings : CHAR_POSTINGS, pt);
        std::vector<Xapian::Query> filters;
        if (o->department)
            filters.emplace_back(std::string("XD") + o->department);
        if (o->type)
            filters.emplace_back(std::string("XT") + o->type);
        if (o->in_force_on)
            filters.emplace_back(Xapian::Query::OP_VALUE_LE, RX_SLOT_EFFECTIVE, o->in_force_on);
        if (!filters.empty())
            q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                              Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
        // Expired documents are subtracted: only the few with an expiry date
        // have a value in that slot, so this walks a short value stream.
        if (o->expired_by)
            q = Xapian::Query(
                Xapian::Query::OP_AND_NOT, q,
                Xapian::Query(Xapian::Query::OP_VALUE_LE, RX_SLOT_EXPIRES, o->expired_by));
        Xapian::Enquire enq(ix->db);
        enq.set_query(q);
        set_weighting(enq, o);
        bool table = o->facet_sample && load_facets(ix);
        facet_spy dspy(ix->departments), tspy(ix->types);
        Xapian::ValueCountMatchSpy vdspy(RX_SLOT_DEPARTMENT), vtspy(RX_SLOT_TYPE);
        auto add_spies = [&]() {
            enq.clear_matchspies();
            if (!o->facet_sample)
                return;
            enq.add_matchspy(table ? static_cast<Xapian::MatchSpy *>(&dspy) : &vdspy);
            enq.add_matchspy(table ? static_cast<Xapian::MatchSpy *>(&tspy) : &vtspy);
        };
        add_spies();
        Xapian::doccount limit = static_cast<Xapian::doccount>(o->limit);
        Xapian::MSet m;
        try {
            m = enq.get_mset(static_cast<Xapian::doccount>(o->offset), limit,
                             static_cast<Xapian::doccount>(o->facet_sample));
        } catch (const Xapian::UnimplementedError &) {
            if (!table) // not the spies' doing
                throw;
            // a remote shard cannot run our spy: Xapian's, which it can
            ix->facets_remote = true;
            table = false;
            add_spies();
            m = enq.get_mset(static_cast<Xapian::doccount>(o->offset), limit,
                             static_cast<Xapian::doccount>(o->facet_sample));
        }
        r->total = m.get_matches_estimated();
        r->matches =
            static_cast<rx_match *>(std::calloc(m.size() ? m.size() : 1, sizeof(rx_match)));
        if (!r->matches)
            throw std::bad_alloc();
        for (auto it = m.begin(); it != m.end(); ++it) {
            Xapian::Document doc = it.get_document();
            std::string d = doc.get_value(RX_SLOT_HEAD);
            rx_match &x = r->matches[r->n];
            x.whole = d.empty(); // an index written before heads
            if (x.whole)
                d = doc.get_data();
            x.data = dup_string(d);
            x.len = d.size();
            x.score = it.get_weight();
            x.docid = *it;
            r->n++;
        }
        if (o->facet_sample) {
            r->departments =
                table ? dspy.collect(&r->ndepartments) : collect_facets(vdspy, &r->ndepartments);
            r->types = table ? tspy.collect(&r->ntypes) : collect_facets(vtspy, &r->ntypes);
        }
        r->epoch = ix->epoch;
        explain(r, ix->db, plan, pt, o->explain);
        r->doccount = ix->db.get_doccount();
        r->max_possible = m.get_max_possible();
        // what confidence reads is the best score the query's own terms
        // could reach: a common term's title stand-in is a bonus on top
        for (size_t k = 0; k < plan->nterms; k++)
            if (plan->terms[k].kind == RX_QT_TITLE && pt.used[k])
                r->max_possible -= m.get_termweight(plan->terms[k].term);
        return RX_OK;
    });
    if (rc != RX_OK) {
        rx_results_free(r);
        return rc;
    }
    *out = r;
    return RX_OK;
}

extern "C" int rx_index_fetch(rx_index *ix, rx_results *r, size_t k)
{
    rx_match &x = r->matches[k];
    if (x.whole)
        return RX_OK;
    return in_view(ix, r, "read document", [&]() -> int {
        std::string d = ix->db.get_document(x.docid, Xapian::DOC_ASSUME_VALID).get_data();
        char *p = dup_string(d);
        std::free(x.data);
        x.data = p;
        x.len = d.size();
        x.whole = true;
        return RX_OK;
    });
}

/* ---- the naive baseline ---- */

extern "C" int rx_naive_build(const char *dir, const char *const *ids, const char *const *titles,
                              const char *const *bodies, size_t n, unsigned title_weight)
{
    return guarded("build baseline", [&]() -> int {
        Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
        Xapian::TermGenerator tg;
        tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
        for (size_t k = 0; k < n; k++) {
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(titles[k], title_weight);
            tg.increase_termpos();
            tg.index_text(bodies[k]);
            doc.set_data(ids[k]);
            doc.add_boolean_term(std::string("Q") + ids[k]);
            db.add_document(doc);
        }
        db.commit();
        return RX_OK;
    });
}

static bool is_bigram_or_word(const std::string &t)
{
    // CJK n-gram terms are one or two Han characters (3 bytes each in UTF-8)
    unsigned char c = static_cast<unsigned char>(t[0]);
    if (c < 0xE0)
        return true;
    return t.size() == 6;
}

extern "C" int rx_naive_search(char ***out, size_t *n, const char *dir, const char *query,
                               size_t limit)
{
    *out = nullptr;
    *n = 0;
    return guarded("baseline search", [&]() -> int {
        // one handle per thread, reopened only when the directory changes
        static thread_local std::string open_dir;
        static thread_local Xapian::Database db;
        if (open_dir != dir) {
            db = Xapian::Database(dir);
            open_dir = dir;
        }
        Xapian::Document qdoc;
        Xapian::TermGenerator tg;
        tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
        tg.set_document(qdoc);
        tg.index_text(query);
        std::vector<std::string> terms, singles;
        for (auto it = qdoc.termlist_begin(); it != qdoc.termlist_end(); ++it) {
            std::string t = *it;
            if (t.empty() || t[0] == 'Z')
                continue;
            (is_bigram_or_word(t) ? terms : singles).push_back(t);
        }
        if (terms.empty())
            terms = singles; // a one-character query
        Xapian::Enquire enq(db);
        enq.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
        Xapian::MSet m = enq.get_mset(0, static_cast<Xapian::doccount>(limit));
        char **ids = static_cast<char **>(std::calloc(m.size() + 1, sizeof(char *)));
        if (!ids)
            throw std::bad_alloc();
        for (auto it = m.begin(); it != m.end(); ++it)
            ids[(*n)++] = dup_string(it.get_document().get_data());
        *out = ids;
        return RX_OK;
    });
}

extern "C" void rx_ids_free(char **ids, size_t n)
{
    for (size_t k = 0; k < n; k++)
        std::free(ids[k]);
    std::free(ids);
}
