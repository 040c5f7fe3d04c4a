#!/usr/bin/env python3
"""Word vectors against rexian's ranking (docs/RELEVANCE.md, item 8): an
offline experiment, nothing of it ships.

The vectors are the npm package node-synonyms@1.3.1 (Chinese Wikipedia
word2vec, 125,796 words x 100; GPL-3.0), taken with `npm pack`:

    mkdir -p /tmp/wv && cd /tmp/wv && npm pack node-synonyms@1.3.1 &&
    tar xzf node-synonyms-1.3.1.tgz package/data/words.vector

Then, from the repository's root, with rexian built and two indexes made
(the shipped corpus at $IDX0; the shipped corpus plus the cold set's at
$IDX, from $CORPUS, as `make eval` lays it out in build/eval-cold/corpus):

    WV=/tmp/wv/package/data/words.vector IDX0=... IDX=... CORPUS=... \
        python3 tools/experiments/wordvec_eval.py [dev judged blind cold]

Each query is segmented by longest match over the vector vocabulary, its
words' vectors averaged with SIF weights (a / (a + p(w)), p from the
vocabulary's frequency rank), and compared by cosine with each document's
(title weighted 3, body); printed: MRR@10 of rexian (`rexian search`),
the vectors alone, a fusion of the two at several weights, and
reciprocal-rank fusion.
"""
import array, csv, glob, json, math, os, re, subprocess, sys, collections
VEC=os.environ.get('WV', '/tmp/wv/package/data/words.vector')
REX=os.environ.get('REXIAN', 'build/rexian')
def load_vectors():
    f=open(VEC,'rb'); head=f.readline().split(); n,d=int(head[0]),int(head[1])
    data=f.read(); words={}; vecs=array.array('f'); pos=0
    for i in range(n):
        sp=data.index(b' ',pos); w=data[pos:sp].decode('utf-8','ignore').strip(); pos=sp+1
        v=array.array('f'); v.frombytes(data[pos:pos+4*d]); pos+=4*d
        s=math.sqrt(sum(x*x for x in v)) or 1
        words[w]=(i,len(vecs)//d); vecs.extend(x/s for x in v)
    return words,vecs,d
words,vecs,D=load_vectors()
N=len(words); H=math.log(N)+0.5772
maxlen=max(len(w) for w in words if len(w)<=8)
han=re.compile(r'[\u4e00-\u9fff]+')
def seg(text):
    out=[]
    for run in han.findall(text):
        i=0
        while i<len(run):
            for L in range(min(6,len(run)-i),0,-1):
                w=run[i:i+L]
                if w in words: out.append(w); i+=L; break
            else: i+=1
    return out
A=float(os.environ.get('SIF','1e-4'))
def embed(text, wt=1.0, acc=None):
    acc=acc or [0.0]*D
    for w in seg(text):
        r,off=words[w]; p=1.0/((r+1)*H); a=wt*A/(A+p)
        for j in range(D): acc[j]+=a*vecs[off+j]
    return acc
def norm(v):
    s=math.sqrt(sum(x*x for x in v)) or 1; return [x/s for x in v]
def docs(root):
    out={}
    for p in glob.glob(root+'/**/*.md',recursive=True):
        t=open(p,encoding='utf-8').read()
        m=re.match(r'---\n(.*?)\n---\n(.*)',t,re.S)
        if not m: continue
        fm=m.group(1); body=m.group(2)
        i=re.search(r'^id:\s*(\S+)',fm,re.M); ti=re.search(r'^title:\s*(.+)$',fm,re.M)
        if not i: continue
        title=ti.group(1) if ti else ''
        out[i.group(1)]=norm(embed(body[:3000],1.0,embed(title,3.0)))
    for p in glob.glob(root+'/**/*.csv',recursive=True):
        for row in csv.DictReader(open(p,encoding='utf-8')):
            if 'question' in row and row.get('id'):
                out[row['id']]=norm(embed(row['answer'][:2000],1.0,embed(row['question'],3.0)))
    return out
def cos(a,b): return sum(x*y for x,y in zip(a,b))
def rex(idx,q):
    r=subprocess.run([REX,'search','--index',idx,'--json','--today','2026-11-28','--limit','30',q],capture_output=True,text=True)
    try: return [(h['id'],h['score']) for h in json.loads(r.stdout)]
    except Exception: return []
def mrr(rank,rel):
    for k,d in enumerate(rank[:10]):
        if d in rel: return 1/(k+1)
    return 0
def run(setname, qfile, idx, corpus, pooled=None):
    dv=docs(corpus); ids=list(dv)
    rows=[l.rstrip('\n').split('\t') for l in open(qfile,encoding='utf-8') if l.strip()]
    res=collections.defaultdict(lambda: collections.defaultdict(list))
    for style,q,rel in rows:
        rel=set(rel.split(','))
        if pooled: rel|=pooled.get(q,set())
        qv=norm(embed(q))
        dense=sorted(ids,key=lambda i:-cos(qv,dv[i]))
        base=rex(idx,q)
        res[style]['rexian'].append(mrr([d for d,_ in base],rel))
        res[style]['dense'].append(mrr(dense,rel))
        if base:
            top=base[0][1]
            for lam in (0.1,0.2,0.3,0.5):
                fused=sorted(base,key=lambda h:-((1-lam)*h[1]/top+lam*cos(qv,dv.get(h[0],qv))))
                res[style]['fuse%.1f'%lam].append(mrr([d for d,_ in fused],rel))
            # RRF with dense
            sc=collections.defaultdict(float)
            for k,(d,_) in enumerate(base): sc[d]+=1/(60+k)
            for k,d in enumerate(dense[:30]): sc[d]+=0.5/(60+k)
            res[style]['rrf'].append(mrr(sorted(sc,key=lambda d:-sc[d]),rel))
        else:
            for lam in (0.1,0.2,0.3,0.5): res[style]['fuse%.1f'%lam].append(0)
            res[style]['rrf'].append(mrr(dense,rel))
    systems=['rexian','dense','fuse0.1','fuse0.2','fuse0.3','fuse0.5','rrf']
    print('==',setname)
    allv=collections.defaultdict(list)
    for st in res:
        print('  %-11s n=%3d '%(st,len(res[st]['rexian']))+' '.join('%s %.3f'%(s,sum(res[st][s])/len(res[st][s])) for s in systems))
        for s in systems: allv[s]+=res[st][s]
    print('  %-11s n=%3d '%('ALL',len(allv['rexian']))+' '.join('%s %.3f'%(s,sum(allv[s])/len(allv[s])) for s in systems))
    sys.stdout.flush()
pooled=collections.defaultdict(set)
for l in open('tests/relevance/pooled.tsv',encoding='utf-8'):
    p=l.rstrip('\n').split('\t')
    if len(p)>=4 and p[3]=='yes': pooled[p[1]].add(p[2])
R='tests/relevance/'
IDX0=os.environ.get('IDX0','build/wordvec/idx0'); IDX=os.environ.get('IDX','build/wordvec/idx'); CORPUS=os.environ.get('CORPUS','build/eval-cold/corpus')
which=sys.argv[1:] or ['dev','judged','blind','cold']
if 'dev' in which: run('dev (in-corpus colloquial)',R+'dev/in.tsv',IDX0,'corpus')
if 'judged' in which: run('judged',R+'queries.tsv',IDX0,'corpus',pooled)
if 'blind' in which: run('blind',R+'blind.tsv',IDX0,'corpus',pooled)
if 'cold' in which: run('cold',R+'cold/queries.tsv',IDX,CORPUS)
