//! C3 method resolution order, the way Python 2.3+ and 3 compute it for
//! new-style classes.
//!
//! Which method a call through `self` reaches depends on the MRO of the
//! instance's class, not on the class the calling body sits in, so every
//! shadowing verdict starts here. Class ids are opaque to this module: the
//! caller supplies a `bases` function, which lets the model resolve names
//! across files lazily. Real code bases contain hierarchies Python itself
//! would reject (inconsistent orders, and, through name-resolution mistakes
//! on our side, cycles), so a failure still comes with a best-effort order
//! that lets the analysis go on.
//!
//! The merge tracks each sequence's head and how many tails hold each
//! class, so a class with thousands of bases merges in O(total length), not
//! in a scan of every sequence per class placed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::Hash;

/// Why no C3 order exists, plus an order to analyse with anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MroError<Id> {
    /// Starts with the class asked about and lists every reachable class
    /// exactly once; it equals the C3 order wherever C3 could decide, and
    /// breaks ties by the first base's precedence where it could not.
    pub partial: Vec<Id>,
    pub kind: MroErrorKind<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MroErrorKind<Id> {
    /// A class that (indirectly) inherits from itself; the chain starts and
    /// ends with the same class: `[A, B, A]`, or `[A, A]` for `class A(A)`.
    Cycle(Vec<Id>),
    /// C3 got stuck: the sequences it could not merge, each cut to what was
    /// left of it. The distinct heads are the classes Python names in
    /// "Cannot create a consistent method resolution order (MRO) for bases
    /// A, B". When several classes are inconsistent, this is the first one
    /// met bases-first, the one Python would have refused to define first.
    Inconsistent { remaining: Vec<Vec<Id>> },
}

impl<Id: Copy + Eq> MroError<Id> {
    /// A one-line description, naming classes with `name`.
    pub fn describe(&self, name: impl Fn(Id) -> String) -> String {
        self.kind.describe(name)
    }
}

impl<Id: Copy + Eq> MroErrorKind<Id> {
    /// A one-line description, naming classes with `name`.
    pub fn describe(&self, name: impl Fn(Id) -> String) -> String {
        match self {
            MroErrorKind::Cycle(chain) => {
                let names: Vec<String> = chain.iter().map(|&id| name(id)).collect();
                format!("inheritance cycle: {}", names.join(" -> "))
            }
            MroErrorKind::Inconsistent { remaining } => {
                // Python names each distinct head once, in sequence order
                // (`set_mro_error` collects them in a dict).
                let mut heads: Vec<Id> = Vec::new();
                for head in remaining.iter().filter_map(|seq| seq.first()) {
                    if !heads.contains(head) {
                        heads.push(*head);
                    }
                }
                let names: Vec<String> = heads.into_iter().map(name).collect();
                format!(
                    "cannot create a consistent method resolution order (MRO) for bases {}",
                    names.join(", ")
                )
            }
        }
    }
}

impl<Id: Copy + Eq + fmt::Debug> fmt::Display for MroError<Id> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(|id| format!("{id:?}")))
    }
}

impl<Id: Copy + Eq + fmt::Debug> std::error::Error for MroError<Id> {}

/// The C3 linearization of `start`: `L[C] = C + merge(L[B1], ..., L[Bn],
/// [B1, ..., Bn])`.
///
/// `bases` is called once per reachable class. The walk is iterative, so
/// depth costs heap, not stack, and cycles are cut rather than followed.
pub fn linearize<Id: Copy + Eq + Hash + fmt::Debug>(
    start: Id,
    bases: impl Fn(Id) -> Vec<Id>,
) -> Result<Vec<Id>, MroError<Id>> {
    let graph = explore(start, bases);

    // Bases-first order guarantees every base's linearization is ready
    // before the class that needs it; each is computed once (the memo) and
    // shared by all the classes that inherit it.
    let mut memo: HashMap<Id, Vec<Id>> = HashMap::with_capacity(graph.postorder.len());
    let mut inconsistent: Option<Vec<Vec<Id>>> = None;
    for &class in &graph.postorder {
        let (order, stuck) = c3(class, &graph.bases[&class], &memo);
        if inconsistent.is_none() {
            inconsistent = stuck;
        }
        memo.insert(class, order);
    }
    let order = memo.remove(&start).unwrap_or_else(|| vec![start]);

    let kind = match (graph.cycle, inconsistent) {
        // A cycle comes first: it is a modelling error that makes any
        // inconsistency found beyond it meaningless.
        (Some(chain), _) => MroErrorKind::Cycle(chain),
        (None, Some(remaining)) => MroErrorKind::Inconsistent { remaining },
        (None, None) => return Ok(order),
    };
    Err(MroError { partial: order, kind })
}

/// The reachable part of the hierarchy as a DAG.
struct Graph<Id> {
    /// Each class's bases in order, minus any base that closes a cycle.
    bases: HashMap<Id, Vec<Id>>,
    /// Every reachable class, each after all of its (kept) bases.
    postorder: Vec<Id>,
    /// The first cycle met, as a chain `[A, B, A]`.
    cycle: Option<Vec<Id>>,
}

struct Frame<Id> {
    class: Id,
    bases: Vec<Id>,
    next: usize,
    kept: Vec<Id>,
}

/// Iterative depth-first walk from `start`. A base that is still on the
/// walk's stack closes a cycle: the edge is recorded as the cycle and
/// dropped, which leaves a DAG the merge can always finish on.
fn explore<Id: Copy + Eq + Hash>(start: Id, bases: impl Fn(Id) -> Vec<Id>) -> Graph<Id> {
    let mut graph = Graph {
        bases: HashMap::new(),
        postorder: Vec::new(),
        cycle: None,
    };
    let mut visited: HashSet<Id> = HashSet::from([start]);
    let mut on_stack: HashSet<Id> = HashSet::from([start]);
    let mut stack = vec![Frame {
        class: start,
        bases: bases(start),
        next: 0,
        kept: Vec::new(),
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(&base) = frame.bases.get(frame.next) else {
            let frame = stack.pop().expect("the loop holds a frame");
            on_stack.remove(&frame.class);
            graph.bases.insert(frame.class, frame.kept);
            graph.postorder.push(frame.class);
            continue;
        };
        frame.next += 1;
        if on_stack.contains(&base) {
            if graph.cycle.is_none() {
                let from = stack
                    .iter()
                    .position(|f| f.class == base)
                    .expect("a class on the stack has a frame");
                let mut chain: Vec<Id> = stack[from..].iter().map(|f| f.class).collect();
                chain.push(base);
                graph.cycle = Some(chain);
            }
            continue;
        }
        frame.kept.push(base);
        if visited.insert(base) {
            on_stack.insert(base);
            stack.push(Frame {
                class: base,
                bases: bases(base),
                next: 0,
                kept: Vec::new(),
            });
        }
    }
    graph
}

/// One C3 step for `class`, whose bases' linearizations are all in `memo`.
fn c3<Id: Copy + Eq + Hash>(class: Id, bases: &[Id], memo: &HashMap<Id, Vec<Id>>) -> (Vec<Id>, Option<Vec<Vec<Id>>>) {
    let lin = |base: &Id| memo.get(base).map_or(&[][..], Vec::as_slice);
    // One base cannot conflict with itself, so its order is inherited as is,
    // the same shortcut CPython takes; it keeps long single-inheritance
    // chains linear per class.
    if let [base] = bases {
        let mut order = Vec::with_capacity(lin(base).len() + 1);
        order.push(class);
        order.extend_from_slice(lin(base));
        return (order, None);
    }
    let seqs: Vec<&[Id]> = bases.iter().map(lin).chain(std::iter::once(bases)).collect();
    merge(class, &seqs)
}

/// The C3 merge: `class` followed by `merge(seqs)`, where `seqs` are the
/// bases' linearizations and then the bases themselves. Each step takes the
/// head of the first sequence that no sequence holds in its tail.
///
/// When the merge gets stuck it records the sequences left and carries on
/// with the head of the first of them, dropping that class from every
/// sequence: the result then still lists every class once and keeps the
/// leftmost base's own order, which is the precedence a reader of the class
/// statement most likely meant.
///
/// Rather than testing every head against every tail at each step, it keeps
/// per class the number of sequences holding it past their head, and the
/// set of sequences whose head no tail holds: each class placed costs the
/// sequences it leaves, so the whole merge is O(total length · log).
fn merge<Id: Copy + Eq + Hash>(class: Id, seqs: &[&[Id]]) -> (Vec<Id>, Option<Vec<Vec<Id>>>) {
    let mut placed: HashSet<Id> = HashSet::from([class]);
    let mut order = vec![class];
    // `class` itself may appear in a base's order when the walk cut a cycle
    // elsewhere: skip placed heads, as every later step does.
    let mut pos: Vec<usize> = seqs
        .iter()
        .map(|seq| seq.iter().position(|id| !placed.contains(id)).unwrap_or(seq.len()))
        .collect();
    // Occurrences of each class past the head of its sequence.
    let mut in_tails: HashMap<Id, usize> = HashMap::new();
    // The sequences each class heads.
    let mut heads: HashMap<Id, Vec<usize>> = HashMap::new();
    for (i, seq) in seqs.iter().enumerate() {
        if let Some(&head) = seq.get(pos[i]) {
            heads.entry(head).or_default().push(i);
            for &id in &seq[pos[i] + 1..] {
                *in_tails.entry(id).or_default() += 1;
            }
        }
    }
    // Sequences whose head no tail holds: the candidates, first one wins.
    let mut good: BTreeSet<usize> = BTreeSet::new();
    for (head, list) in &heads {
        if !in_tails.contains_key(head) {
            good.extend(list.iter().copied());
        }
    }
    let mut first_live = 0;
    let mut stuck = None;
    loop {
        while seqs.get(first_live).is_some_and(|seq| pos[first_live] >= seq.len()) {
            first_live += 1;
        }
        if first_live == seqs.len() {
            break;
        }
        let next = match good.first() {
            Some(&i) => seqs[i][pos[i]],
            None => {
                if stuck.is_none() {
                    stuck = Some(
                        seqs.iter()
                            .zip(&pos)
                            .filter(|(seq, p)| **p < seq.len())
                            .map(|(seq, &p)| seq[p..].iter().copied().filter(|id| !placed.contains(id)).collect())
                            .collect(),
                    );
                }
                seqs[first_live][pos[first_live]]
            }
        };
        placed.insert(next);
        order.push(next);
        // Every sequence `next` heads moves on to its next unplaced class.
        for i in heads.remove(&next).unwrap_or_default() {
            good.remove(&i);
            let seq = seqs[i];
            pos[i] += 1;
            while let Some(&id) = seq.get(pos[i]) {
                let count = in_tails.get_mut(&id).expect("a tail holds every class past a head");
                *count -= 1;
                let freed = *count == 0;
                if freed {
                    in_tails.remove(&id);
                }
                if placed.contains(&id) {
                    pos[i] += 1;
                    continue;
                }
                // Its head is a candidate once no tail holds it: now, if
                // this was the last tail, for every sequence it heads.
                let list = heads.entry(id).or_default();
                list.push(i);
                if freed {
                    good.extend(list.iter().copied());
                }
                break;
            }
        }
    }
    (order, stuck)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hierarchy written as `(class, bases)` pairs; unknown names have no
    /// bases.
    fn hierarchy(pairs: &[(&'static str, &[&'static str])]) -> impl Fn(&'static str) -> Vec<&'static str> + use<> {
        let map: HashMap<&'static str, Vec<&'static str>> = pairs.iter().map(|(c, b)| (*c, b.to_vec())).collect();
        move |c| map.get(c).cloned().unwrap_or_default()
    }

    fn name(id: &str) -> String {
        id.to_string()
    }

    #[test]
    fn single_inheritance() {
        let bases = hierarchy(&[("C", &["B"]), ("B", &["A"]), ("A", &["object"])]);
        assert_eq!(linearize("C", bases), Ok(vec!["C", "B", "A", "object"]));
    }

    #[test]
    fn class_without_bases() {
        assert_eq!(linearize("object", hierarchy(&[])), Ok(vec!["object"]));
    }

    #[test]
    fn classic_diamond() {
        let bases = hierarchy(&[("D", &["B", "C"]), ("B", &["A"]), ("C", &["A"]), ("A", &["object"])]);
        assert_eq!(linearize("D", bases), Ok(vec!["D", "B", "C", "A", "object"]));
    }

    /// "The Python 2.3 Method Resolution Order", the `class Z(K1, K2, K3)`
    /// example.
    #[test]
    fn python_23_mro_paper_example() {
        let bases = hierarchy(&[
            ("A", &["O"]),
            ("B", &["O"]),
            ("C", &["O"]),
            ("D", &["O"]),
            ("E", &["O"]),
            ("K1", &["A", "B", "C"]),
            ("K2", &["D", "B", "E"]),
            ("K3", &["D", "A"]),
            ("Z", &["K1", "K2", "K3"]),
        ]);
        assert_eq!(
            linearize("Z", &bases),
            Ok(vec!["Z", "K1", "K2", "K3", "D", "A", "B", "C", "E", "O"])
        );
        assert_eq!(linearize("K2", &bases), Ok(vec!["K2", "D", "B", "E", "O"]));
    }

    /// Cinder Kilo: `VolumeDriver(ConsistencyGroupVD, TransferVD, ...,
    /// BaseVD)` with every mixin and `BaseVD` deriving from `object`; a
    /// concrete driver then inherits the lot.
    #[test]
    fn kilo_volume_driver_mixins() {
        const MIXINS: &[&str] = &[
            "ConsistencyGroupVD",
            "TransferVD",
            "ManageableVD",
            "ExtendVD",
            "CloneableVD",
            "CloneableImageVD",
            "SnapshotVD",
            "ReplicaVD",
            "LocalVD",
            "MigrateVD",
            "BaseVD",
        ];
        let mut pairs: Vec<(&'static str, &[&'static str])> = MIXINS.iter().map(|m| (*m, &["object"][..])).collect();
        pairs.push(("VolumeDriver", MIXINS));
        pairs.push(("ScaleIODriver", &["VolumeDriver"]));
        let bases = hierarchy(&pairs);
        let mut expected = vec!["ScaleIODriver", "VolumeDriver"];
        expected.extend_from_slice(MIXINS);
        expected.push("object");
        assert_eq!(linearize("ScaleIODriver", bases), Ok(expected));
    }

    #[test]
    fn inconsistent_order_reports_remaining_and_partial() {
        let bases = hierarchy(&[
            ("A", &["O"]),
            ("B", &["O"]),
            ("X", &["A", "B"]),
            ("Y", &["B", "A"]),
            ("Z", &["X", "Y"]),
        ]);
        let err = linearize("Z", &bases).unwrap_err();
        assert_eq!(
            err.kind,
            MroErrorKind::Inconsistent {
                remaining: vec![vec!["A", "B", "O"], vec!["B", "A", "O"]],
            }
        );
        assert_eq!(err.partial, vec!["Z", "X", "Y", "A", "B", "O"]);
        assert_eq!(
            err.describe(name),
            "cannot create a consistent method resolution order (MRO) for bases A, B"
        );

        // A class deriving from the broken one fails too, and its partial
        // order builds on the broken one's.
        let bases = hierarchy(&[
            ("A", &["O"]),
            ("B", &["O"]),
            ("X", &["A", "B"]),
            ("Y", &["B", "A"]),
            ("Z", &["X", "Y"]),
            ("W", &["Z"]),
        ]);
        let err = linearize("W", bases).unwrap_err();
        assert!(matches!(err.kind, MroErrorKind::Inconsistent { .. }));
        assert_eq!(err.partial, vec!["W", "Z", "X", "Y", "A", "B", "O"]);
    }

    #[test]
    fn duplicate_base_is_inconsistent() {
        // Python says "duplicate base class B"; C3 alone cannot merge it.
        let bases = hierarchy(&[("A", &["B", "B"]), ("B", &["O"])]);
        let err = linearize("A", bases).unwrap_err();
        assert_eq!(err.partial, vec!["A", "B", "O"]);
        assert!(matches!(err.kind, MroErrorKind::Inconsistent { .. }));
    }

    #[test]
    fn cycle_is_reported_not_followed() {
        let bases = hierarchy(&[("A", &["B"]), ("B", &["A", "O"])]);
        let err = linearize("A", &bases).unwrap_err();
        assert_eq!(err.kind, MroErrorKind::Cycle(vec!["A", "B", "A"]));
        assert_eq!(err.partial, vec!["A", "B", "O"]);
        assert_eq!(err.describe(name), "inheritance cycle: A -> B -> A");

        // Entering the cycle from outside.
        let bases = hierarchy(&[("S", &["A", "C"]), ("A", &["B"]), ("B", &["A"]), ("C", &["O"])]);
        let err = linearize("S", bases).unwrap_err();
        assert_eq!(err.kind, MroErrorKind::Cycle(vec!["A", "B", "A"]));
        assert_eq!(err.partial, vec!["S", "A", "B", "C", "O"]);
    }

    #[test]
    fn self_cycle() {
        let bases = hierarchy(&[("A", &["A"])]);
        let err = linearize("A", bases).unwrap_err();
        assert_eq!(err.kind, MroErrorKind::Cycle(vec!["A", "A"]));
        assert_eq!(err.partial, vec!["A"]);
        assert_eq!(err.to_string(), "inheritance cycle: \"A\" -> \"A\"");
    }

    #[test]
    fn bases_is_called_once_per_class() {
        let calls = std::cell::RefCell::new(Vec::new());
        let inner = hierarchy(&[("D", &["B", "C"]), ("B", &["A"]), ("C", &["A"]), ("A", &["object"])]);
        let bases = |c| {
            calls.borrow_mut().push(c);
            inner(c)
        };
        linearize("D", bases).unwrap();
        let mut calls = calls.into_inner();
        calls.sort();
        assert_eq!(calls, vec!["A", "B", "C", "D", "object"]);
    }

    #[test]
    fn deep_hierarchies_do_not_overflow_the_stack() {
        // Class n derives from n + 1 (and, every hundredth class, also from a
        // shared mixin 0), up to a root at DEPTH.
        const DEPTH: u32 = 1500;
        let bases = |c: u32| match c {
            DEPTH => vec![],
            0 => vec![DEPTH],
            c if c % 100 == 0 => vec![c + 1, 0],
            c => vec![c + 1],
        };
        let order = linearize(1, bases).unwrap();
        assert_eq!(order.len(), DEPTH as usize + 1);
        assert_eq!(order[0], 1);
        assert_eq!(order[order.len() - 2..], [0, DEPTH]);

        // And a cycle thousands of classes long is still found.
        let looping = |c: u32| vec![(c + 1) % 5000];
        let err = linearize(0, looping).unwrap_err();
        let MroErrorKind::Cycle(chain) = err.kind else {
            panic!("expected a cycle")
        };
        assert_eq!(chain.len(), 5001);
        assert_eq!(err.partial.len(), 5000);
    }

    /// The merge as the C3 paper states it: at each step, scan the
    /// sequences for the first head no tail holds. What [`merge`] must
    /// equal, stuck sequences and forced picks included.
    fn textbook_merge(class: u32, seqs: &[&[u32]]) -> (Vec<u32>, Option<Vec<Vec<u32>>>) {
        let mut heads = vec![0usize; seqs.len()];
        let mut placed: HashSet<u32> = HashSet::from([class]);
        let mut order = vec![class];
        let mut stuck = None;
        loop {
            for (seq, head) in seqs.iter().zip(heads.iter_mut()) {
                while *head < seq.len() && placed.contains(&seq[*head]) {
                    *head += 1;
                }
            }
            let live: Vec<&[u32]> = seqs
                .iter()
                .zip(&heads)
                .filter(|(seq, head)| **head < seq.len())
                .map(|(seq, &head)| &seq[head..])
                .collect();
            let Some(first) = live.first() else { break };
            let good = live
                .iter()
                .map(|seq| seq[0])
                .find(|candidate| !live.iter().any(|seq| seq[1..].contains(candidate)));
            let next = good.unwrap_or_else(|| {
                if stuck.is_none() {
                    stuck = Some(
                        live.iter()
                            .map(|seq| seq.iter().copied().filter(|id| !placed.contains(id)).collect())
                            .collect(),
                    );
                }
                first[0]
            });
            placed.insert(next);
            order.push(next);
        }
        (order, stuck)
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn merge_equals_the_textbook_merge() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let count = rng.below(5) as usize;
            let seqs: Vec<Vec<u32>> = (0..count)
                .map(|_| (0..rng.below(6)).map(|_| rng.below(8) as u32).collect())
                .collect();
            let seqs: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
            let class = rng.below(10) as u32;
            assert_eq!(merge(class, &seqs), textbook_merge(class, &seqs), "{class} {seqs:?}");
        }
    }

    /// The hostile shape: a class with 10,000 bases, each deriving from a
    /// common root.
    #[test]
    fn thousands_of_bases_merge() {
        const N: u32 = 10_000;
        let wide = |c: u32| match c {
            N => (0..N).collect(),
            c if c < N => vec![N + 1],
            _ => vec![],
        };
        let mut expected = vec![N];
        expected.extend(0..N);
        expected.push(N + 1);
        assert_eq!(linearize(N, wide), Ok(expected));
    }
}
