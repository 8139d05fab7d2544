//! Argument binding: would CPython accept this call, and if not, what exact
//! `TypeError` text would it raise?
//!
//! A renamed or shadowed method is only a bug when some call site binds
//! differently than the author expected, so the analysis needs the verdict of
//! the interpreter itself, not an approximation. This module replays the
//! binding loop of CPython 3.11 (`initialize_locals` in `ceval.c`) to decide
//! whether a call fails, and words two messages for every failure: the 3.11
//! one (qualified name) and the 2.7 one (`PyEval_EvalCodeEx`, bare name),
//! because the projects shadowfix fixes often ran on both and their logs and
//! bug reports quote either. Each check happens in the same order as in C,
//! so when a call is wrong in several ways the message names the same fault
//! the interpreter would.

use crate::scan::syntax::{ArgShape, Name, Param, ParamKind, Signature};

/// The function a call reaches, as far as binding is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Callee<'a> {
    /// The function name (`co_name`), which Python 2 messages use:
    /// `_attach_volume`.
    pub name: &'a str,
    /// The Python 3 `__qualname__`, which Python 3 messages use:
    /// `ScaleIODriver._attach_volume`.
    pub qualname: &'a str,
    pub signature: &'a Signature,
    /// True when the call goes through an instance or class as a bound method
    /// (instance method, classmethod): the first parameter is filled
    /// implicitly. False for a staticmethod or a plain function.
    pub implicit_first: bool,
}

/// Why a call cannot bind: the `str()` of the `TypeError` each interpreter
/// would raise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    pub py2: String,
    pub py3: String,
}

/// Decides whether `callee` accepts a call of shape `args` under CPython 3
/// rules; on failure returns both interpreters' messages.
///
/// A call with `*x` or `**y` hides how many arguments and which keywords it
/// passes, so it is reported only when it fails whatever they hold: more
/// explicit positional arguments than the callee takes (no `*args`), an
/// explicit keyword the callee lacks (no `**kwargs`), or an explicit keyword
/// naming a parameter the explicit positional arguments already filled. The
/// message is the one Python gives when the splats are empty. A missing
/// argument is never claimed: a splat may supply it.
pub fn check_call(callee: &Callee, args: &ArgShape) -> Result<(), BindError> {
    let splat = args.star || args.double_star;
    // Positional arguments after `*x` land in slots nobody can tell.
    if splat && args.after_star > 0 {
        return Ok(());
    }
    let shape = Shape::of(callee.signature);
    // A bound method call prepends the instance (or class) to the positional
    // arguments before the function sees them (`method_vectorcall`,
    // `instancemethod_call`), so every count below includes it.
    let argcount = args.positional + usize::from(callee.implicit_first);
    if splat && !fails_whatever_splats_hold(&shape, argcount, &args.keywords) {
        return Ok(());
    }
    let Some(py3) = py3_error(callee.qualname, &shape, argcount, &args.keywords) else {
        return Ok(());
    };
    let py2 = py2_error(callee.name, &shape, argcount, &args.keywords)
        .unwrap_or_else(|| py2_missing_kwonly(callee.name, &shape, argcount, &args.keywords));
    Err(BindError { py2, py3 })
}

/// Whether the explicit arguments alone make binding fail, so that no
/// content of `*x`/`**y` can rescue the call.
fn fails_whatever_splats_hold(shape: &Shape, argcount: usize, keywords: &[Name]) -> bool {
    if argcount > shape.argcount() && !shape.varargs {
        return true;
    }
    keywords.iter().any(|k| match shape.py3_slot(k) {
        Some(j) => j < argcount.min(shape.argcount()),
        None => !shape.varkw,
    })
}

/// A signature laid out the way a code object sees it: positional slots
/// (`co_argcount`, positional-only ones first), then keyword-only slots, and
/// two flags for `*args` and `**kwargs`.
struct Shape<'s> {
    positional: Vec<&'s Param>,
    /// `co_posonlyargcount`: the first slots that no keyword can reach.
    posonly: usize,
    kwonly: Vec<&'s Param>,
    varargs: bool,
    varkw: bool,
}

impl<'s> Shape<'s> {
    fn of(signature: &'s Signature) -> Self {
        let mut shape = Shape {
            positional: Vec::new(),
            posonly: 0,
            kwonly: Vec::new(),
            varargs: false,
            varkw: false,
        };
        for param in &signature.params {
            match param.kind {
                ParamKind::PositionalOnly => {
                    shape.positional.push(param);
                    shape.posonly += 1;
                }
                ParamKind::PositionalOrKeyword => shape.positional.push(param),
                // A bare `*` separator, should the parser ever record one,
                // sets no CO_VARARGS flag: it only starts the keyword-only
                // parameters.
                ParamKind::VarPositional => shape.varargs |= !matches!(param.name.as_str(), "" | "*"),
                ParamKind::KeywordOnly => shape.kwonly.push(param),
                ParamKind::VarKeyword => shape.varkw = true,
            }
        }
        shape
    }

    /// `co_argcount`.
    fn argcount(&self) -> usize {
        self.positional.len()
    }

    /// The length of `func.__defaults__`: how many trailing positional
    /// parameters have a default.
    fn defcount(&self) -> usize {
        self.positional.iter().filter(|p| p.has_default).count()
    }

    /// The slot a keyword binds to in Python 3: a positional-or-keyword or a
    /// keyword-only parameter. The `*args`/`**kwargs` names are not slots, so
    /// `f(args=1)` is unexpected, just as in C (the search runs over
    /// `co_posonlyargcount..total_args` only).
    fn py3_slot(&self, keyword: &str) -> Option<usize> {
        self.positional
            .iter()
            .chain(&self.kwonly)
            .enumerate()
            .skip(self.posonly)
            .find(|(_, p)| p.name == keyword)
            .map(|(j, _)| j)
    }

    /// The slot a keyword binds to in Python 2: a positional parameter only,
    /// since 2.7 has no keyword-only ones. Positional-only parameters are left
    /// out too, so that a call Python 3 rejects for passing one by keyword
    /// gets the closest Python 2 complaint ("unexpected keyword argument").
    fn py2_slot(&self, keyword: &str) -> Option<usize> {
        self.positional
            .iter()
            .enumerate()
            .skip(self.posonly)
            .find(|(_, p)| p.name == keyword)
            .map(|(j, _)| j)
    }
}

/// Replays CPython 3.11 `initialize_locals`; `None` when the call binds.
fn py3_error(qualname: &str, shape: &Shape, argcount: usize, keywords: &[Name]) -> Option<String> {
    let co_argcount = shape.argcount();
    let total = co_argcount + shape.kwonly.len();
    let mut filled = vec![false; total];
    // Positional arguments are copied first; any surplus is only reported
    // after the keywords, so a bad keyword wins over a bad count.
    filled[..argcount.min(co_argcount)].fill(true);

    for keyword in keywords {
        match shape.py3_slot(keyword) {
            Some(j) if filled[j] => {
                return Some(format!("{qualname}() got multiple values for argument '{keyword}'"));
            }
            Some(j) => filled[j] = true,
            None if shape.varkw => {}
            None => {
                // Any unexpected keyword triggers a scan of *all* the call's
                // keywords for positional-only names, so `f(1, zz=3, a=2)`
                // with `def f(a, /, b)` blames `a`, not `zz`. Names are
                // listed in parameter order and joined inside one pair of
                // quotes.
                let posonly: Vec<&str> = shape.positional[..shape.posonly]
                    .iter()
                    .flat_map(|p| keywords.iter().filter(|k| **k == p.name))
                    .map(Name::as_str)
                    .collect();
                if !posonly.is_empty() {
                    return Some(format!(
                        "{qualname}() got some positional-only arguments passed as keyword arguments: '{}'",
                        posonly.join(", ")
                    ));
                }
                return Some(format!("{qualname}() got an unexpected keyword argument '{keyword}'"));
            }
        }
    }

    if argcount > co_argcount && !shape.varargs {
        return Some(too_many_positional(qualname, shape, argcount, &filled));
    }

    if argcount < co_argcount {
        let required = co_argcount - shape.defcount();
        let missing: Vec<&str> = (0..required)
            .filter(|&i| !filled[i])
            .map(|i| shape.positional[i].name.as_str())
            .collect();
        if !missing.is_empty() {
            return Some(format_missing(qualname, "positional", &missing));
        }
    }

    let missing: Vec<&str> = shape
        .kwonly
        .iter()
        .enumerate()
        .filter(|(i, p)| !filled[co_argcount + i] && !p.has_default)
        .map(|(_, p)| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Some(format_missing(qualname, "keyword-only", &missing));
    }
    None
}

/// CPython 3.11 `too_many_positional`.
fn too_many_positional(qualname: &str, shape: &Shape, given: usize, filled: &[bool]) -> String {
    let co_argcount = shape.argcount();
    let kwonly_given = filled[co_argcount..].iter().filter(|&&f| f).count();
    let defcount = shape.defcount();
    // A range always takes the plural ("from 1 to 1 positional arguments"
    // cannot happen, but C does not special-case it either).
    let (sig, plural) = if defcount > 0 {
        (format!("from {} to {co_argcount}", co_argcount - defcount), true)
    } else {
        (co_argcount.to_string(), co_argcount != 1)
    };
    // Once keyword-only arguments are mentioned the verb is always "were",
    // even for one positional: "but 1 positional argument (and 1
    // keyword-only argument) were given".
    let kwonly_sig = if kwonly_given > 0 {
        format!(
            " positional argument{} (and {kwonly_given} keyword-only argument{})",
            plural_s(given),
            plural_s(kwonly_given)
        )
    } else {
        String::new()
    };
    let verb = if given == 1 && kwonly_given == 0 { "was" } else { "were" };
    format!(
        "{qualname}() takes {sig} positional argument{} but {given}{kwonly_sig} {verb} given",
        if plural { "s" } else { "" }
    )
}

/// CPython 3.11 `missing_arguments` + `format_missing`: names are `repr()`s,
/// joined "'a'", "'a' and 'b'", "'a', 'b', and 'c'" (with the Oxford comma).
fn format_missing(qualname: &str, kind: &str, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| py_repr(n)).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [head @ .., a, b] => format!("{}, {a}, and {b}", head.join(", ")),
        [] => String::new(),
    };
    format!(
        "{qualname}() missing {} required {kind} argument{}: {list}",
        names.len(),
        plural_s(names.len())
    )
}

/// `repr()` of a `str` as Python 3 writes it. Parameter names are
/// identifiers (or, from Python 2 tuple parameters, `(a, b)`), so only the
/// quote choice and backslashes matter.
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{}\"", s.replace('\\', "\\\\"))
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Replays CPython 2.7 `PyEval_EvalCodeEx`; `None` when Python 2 would bind
/// the call (keyword-only parameters do not exist there: their names are
/// ordinary extra keywords).
fn py2_error(name: &str, shape: &Shape, argcount: usize, keywords: &[Name]) -> Option<String> {
    let co_argcount = shape.argcount();
    let defcount = shape.defcount();
    let kwcount = keywords.len();

    if co_argcount == 0 && !shape.varargs && !shape.varkw {
        // A separate branch in C with its own wording; note it counts
        // keywords as "given" too.
        return (argcount + kwcount > 0).then(|| format!("{name}() takes no arguments ({} given)", argcount + kwcount));
    }

    // Python 2 checks the positional count before looking at keywords, and
    // its "given" adds the keyword count: `f(a, b, c, d, force=True)` to a
    // three-parameter method reports "(6 given)" with the implicit self.
    if argcount > co_argcount && !shape.varargs {
        return Some(format!(
            "{name}() takes {} {co_argcount} argument{} ({} given)",
            if defcount > 0 { "at most" } else { "exactly" },
            plural_s(co_argcount),
            argcount + kwcount
        ));
    }

    let mut filled = vec![false; co_argcount];
    filled[..argcount.min(co_argcount)].fill(true);
    for keyword in keywords {
        match shape.py2_slot(keyword) {
            Some(j) if filled[j] => {
                return Some(format!("{name}() got multiple values for keyword argument '{keyword}'"));
            }
            Some(j) => filled[j] = true,
            None if shape.varkw => {}
            None => {
                return Some(format!("{name}() got an unexpected keyword argument '{keyword}'"));
            }
        }
    }

    if argcount < co_argcount {
        let required = co_argcount - defcount;
        if (argcount..required).any(|i| !filled[i]) {
            // The number is the count of *required* parameters, and "given"
            // counts every positional slot filled so far, by position or by
            // keyword, optional ones included.
            let given = filled.iter().filter(|&&f| f).count();
            return Some(format!(
                "{name}() takes {} {required} argument{} ({given} given)",
                if shape.varargs || defcount > 0 {
                    "at least"
                } else {
                    "exactly"
                },
                plural_s(required)
            ));
        }
    }
    None
}

/// The Python 2 message for the one failure Python 2 has no equivalent of:
/// a required keyword-only argument left out. The closest 2.7 complaint is
/// the missing-argument form, reading the signature as its natural backport
/// where keyword-only parameters became trailing positional ones:
/// `def m(self, a, *, k)` called as `x.m(1)` reads like `def m(self, a, k)`
/// called the same way: "m() takes exactly 3 arguments (2 given)".
fn py2_missing_kwonly(name: &str, shape: &Shape, argcount: usize, keywords: &[Name]) -> String {
    let kw_required = shape.kwonly.iter().filter(|p| !p.has_default).count();
    let required = shape.argcount() - shape.defcount() + kw_required;
    let by_keyword = shape
        .positional
        .iter()
        .skip(shape.posonly)
        .chain(&shape.kwonly)
        .filter(|p| keywords.iter().any(|k| *k == p.name))
        .count();
    let given = argcount.min(shape.argcount()) + by_keyword;
    let any_default = shape.defcount() > 0 || shape.kwonly.iter().any(|p| p.has_default);
    format!(
        "{name}() takes {} {required} argument{} ({given} given)",
        if shape.varargs || any_default {
            "at least"
        } else {
            "exactly"
        },
        plural_s(required)
    )
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a `Signature` from a Python parameter list such as
    /// `self, a, /, b=1, *args, k, **kw` (defaults must not contain commas).
    fn sig(text: &str) -> Signature {
        let mut params = Vec::new();
        let mut kind = ParamKind::PositionalOrKeyword;
        for raw in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if raw == "/" {
                params
                    .iter_mut()
                    .for_each(|p: &mut Param| p.kind = ParamKind::PositionalOnly);
                continue;
            }
            if raw == "*" {
                kind = ParamKind::KeywordOnly;
                continue;
            }
            let (name, has_default) = match raw.split_once('=') {
                Some((n, _)) => (n.trim(), true),
                None => (raw, false),
            };
            let (name, this_kind) = if let Some(n) = name.strip_prefix("**") {
                (n, ParamKind::VarKeyword)
            } else if let Some(n) = name.strip_prefix('*') {
                kind = ParamKind::KeywordOnly;
                (n, ParamKind::VarPositional)
            } else {
                (name, kind)
            };
            params.push(Param {
                name: name.to_string(),
                kind: this_kind,
                has_default,
            });
        }
        Signature {
            params,
            text: format!("({text})"),
        }
    }

    fn call(positional: usize, keywords: &[&str]) -> ArgShape {
        ArgShape {
            after_star: 0,
            positional,
            keywords: keywords.iter().map(|k| (*k).into()).collect(),
            star: false,
            double_star: false,
        }
    }

    #[derive(Clone, Copy)]
    enum Kind {
        Instance,
        Static,
        Class,
    }

    /// One call to check: the class and method, the parameter list, the call
    /// shape, and the hand-derived Python 2 message (None when the call binds).
    struct Case {
        class: &'static str,
        method: &'static str,
        kind: Kind,
        params: &'static str,
        positional: usize,
        keywords: &'static [&'static str],
        py2: Option<&'static str>,
    }

    const fn case(
        kind: Kind,
        params: &'static str,
        positional: usize,
        keywords: &'static [&'static str],
        py2: Option<&'static str>,
    ) -> Case {
        Case {
            class: "X",
            method: "m",
            kind,
            params,
            positional,
            keywords,
            py2,
        }
    }

    use Kind::{Class, Instance, Static};

    const CASES: &[Case] = &[
        Case {
            class: "ScaleIODriver",
            method: "_attach_volume",
            kind: Instance,
            params: "self, volume, sdc_ip",
            positional: 3,
            keywords: &[],
            py2: Some("_attach_volume() takes exactly 3 arguments (4 given)"),
        },
        Case {
            class: "ScaleIODriver",
            method: "_detach_volume",
            kind: Instance,
            params: "self, volume, sdc_ip",
            positional: 4,
            keywords: &["force"],
            py2: Some("_detach_volume() takes exactly 3 arguments (6 given)"),
        },
        Case {
            class: "FakeDriver",
            method: "terminate_connection",
            kind: Instance,
            params: "self, volume, connector",
            positional: 2,
            keywords: &["force"],
            py2: Some("terminate_connection() got an unexpected keyword argument 'force'"),
        },
        case(Instance, "self, volume, connector", 2, &[], None),
        case(
            Instance,
            "self, a, b=1",
            3,
            &[],
            Some("m() takes at most 3 arguments (4 given)"),
        ),
        case(Instance, "self", 1, &[], Some("m() takes exactly 1 argument (2 given)")),
        case(Instance, "", 0, &[], Some("m() takes no arguments (1 given)")),
        case(Static, "a", 2, &[], Some("m() takes exactly 1 argument (2 given)")),
        case(Static, "", 1, &["k"], Some("m() takes no arguments (2 given)")),
        case(
            Instance,
            "self, a, b, c",
            0,
            &[],
            Some("m() takes exactly 4 arguments (1 given)"),
        ),
        case(
            Instance,
            "self, a, b, c",
            1,
            &[],
            Some("m() takes exactly 4 arguments (2 given)"),
        ),
        case(
            Instance,
            "self, a, b, c",
            1,
            &["b"],
            Some("m() takes exactly 4 arguments (3 given)"),
        ),
        case(
            Instance,
            "self, a, b",
            0,
            &["a"],
            Some("m() takes exactly 3 arguments (2 given)"),
        ),
        case(
            Instance,
            "self, a, b",
            1,
            &["a"],
            Some("m() got multiple values for keyword argument 'a'"),
        ),
        case(
            Instance,
            "self, a, b",
            2,
            &["a"],
            Some("m() got multiple values for keyword argument 'a'"),
        ),
        // Python 3 reports the keyword before the count; Python 2 the reverse.
        case(
            Instance,
            "self, a, b",
            3,
            &["a"],
            Some("m() takes exactly 3 arguments (5 given)"),
        ),
        case(
            Instance,
            "self, a",
            1,
            &["self"],
            Some("m() got multiple values for keyword argument 'self'"),
        ),
        case(
            Instance,
            "self, a",
            1,
            &["zz", "a"],
            Some("m() got an unexpected keyword argument 'zz'"),
        ),
        case(
            Instance,
            "self, a, b=2",
            0,
            &["b"],
            Some("m() takes at least 2 arguments (2 given)"),
        ),
        case(
            Instance,
            "self, a=1",
            3,
            &[],
            Some("m() takes at most 2 arguments (4 given)"),
        ),
        case(
            Static,
            "a, b, c, d=1",
            5,
            &[],
            Some("m() takes at most 4 arguments (5 given)"),
        ),
        case(Class, "cls, a", 2, &[], Some("m() takes exactly 2 arguments (3 given)")),
        case(Class, "cls, a", 1, &[], None),
        case(Instance, "self, a, *args", 5, &[], None),
        case(
            Instance,
            "self, a, *args",
            0,
            &[],
            Some("m() takes at least 2 arguments (1 given)"),
        ),
        case(Instance, "self, a, **kw", 1, &["force"], None),
        case(
            Instance,
            "self, a, **kw",
            0,
            &["force"],
            Some("m() takes exactly 2 arguments (1 given)"),
        ),
        case(Instance, "*args", 3, &[], None),
        case(
            Instance,
            "**kw",
            1,
            &[],
            Some("m() takes exactly 0 arguments (2 given)"),
        ),
        // Keyword-only parameters: Python 2 sees their names as extra keywords.
        case(
            Instance,
            "self, a, *, k",
            1,
            &[],
            Some("m() takes exactly 3 arguments (2 given)"),
        ),
        case(Instance, "self, a, *, k", 1, &["k"], None),
        case(
            Instance,
            "self, a, *, k",
            2,
            &["k"],
            Some("m() takes exactly 2 arguments (4 given)"),
        ),
        case(
            Instance,
            "self, a, *, k",
            1,
            &["a"],
            Some("m() got multiple values for keyword argument 'a'"),
        ),
        case(
            Instance,
            "self, a, *, k=1, j",
            1,
            &[],
            Some("m() takes at least 3 arguments (2 given)"),
        ),
        case(Instance, "self, *, k=1", 0, &[], None),
        case(
            Instance,
            "self, *, a, b",
            0,
            &["a"],
            Some("m() got an unexpected keyword argument 'a'"),
        ),
        case(
            Instance,
            "self, *, k1, k2, k3",
            0,
            &[],
            Some("m() takes exactly 4 arguments (1 given)"),
        ),
        case(
            Instance,
            "self, a, b=2, *, k",
            3,
            &["k"],
            Some("m() takes at most 3 arguments (5 given)"),
        ),
        case(Static, "*, k", 1, &["k"], Some("m() takes no arguments (2 given)")),
        case(
            Instance,
            "self, a, *args, k, **kw",
            4,
            &["x"],
            Some("m() takes at least 3 arguments (2 given)"),
        ),
        // Positional-only parameters: Python 2 treats their names as unknown.
        case(
            Instance,
            "self, a, /, b",
            1,
            &["a", "b"],
            Some("m() got an unexpected keyword argument 'a'"),
        ),
        case(
            Instance,
            "self, a, /, b",
            1,
            &["zz", "a"],
            Some("m() got an unexpected keyword argument 'zz'"),
        ),
        case(
            Instance,
            "self, a, b, /",
            0,
            &["b", "a"],
            Some("m() got an unexpected keyword argument 'b'"),
        ),
        case(
            Instance,
            "self, a, /, **kw",
            0,
            &["a"],
            Some("m() takes exactly 2 arguments (1 given)"),
        ),
        case(Instance, "self, a, /, **kw", 1, &["a"], None),
    ];

    fn check(case: &Case) -> Result<(), BindError> {
        let signature = sig(case.params);
        let qualname = format!("{}.{}", case.class, case.method);
        let callee = Callee {
            name: case.method,
            qualname: &qualname,
            signature: &signature,
            implicit_first: !matches!(case.kind, Static),
        };
        check_call(&callee, &call(case.positional, case.keywords))
    }

    #[test]
    fn canonical_scaleio_examples() {
        let signature = sig("self, volume, sdc_ip");
        let attach = Callee {
            name: "_attach_volume",
            qualname: "ScaleIODriver._attach_volume",
            signature: &signature,
            implicit_first: true,
        };
        assert_eq!(
            check_call(&attach, &call(3, &[])),
            Err(BindError {
                py2: "_attach_volume() takes exactly 3 arguments (4 given)".into(),
                py3: "ScaleIODriver._attach_volume() takes 3 positional arguments but 4 were given".into(),
            })
        );
        let detach = Callee {
            name: "_detach_volume",
            qualname: "ScaleIODriver._detach_volume",
            ..attach
        };
        assert_eq!(
            check_call(&detach, &call(4, &["force"])),
            Err(BindError {
                py2: "_detach_volume() takes exactly 3 arguments (6 given)".into(),
                py3: "ScaleIODriver._detach_volume() got an unexpected keyword argument 'force'".into(),
            })
        );
        let connector = sig("self, volume, connector");
        let terminate = Callee {
            name: "terminate_connection",
            qualname: "FakeDriver.terminate_connection",
            signature: &connector,
            implicit_first: true,
        };
        assert_eq!(
            check_call(&terminate, &call(2, &["force"])),
            Err(BindError {
                py2: "terminate_connection() got an unexpected keyword argument 'force'".into(),
                py3: "FakeDriver.terminate_connection() got an unexpected keyword argument 'force'".into(),
            })
        );
        assert_eq!(check_call(&terminate, &call(2, &[])), Ok(()));
    }

    /// `check_call` for `params` (first one implicit) with `args`.
    fn splat_call(params: &str, positional: usize, keywords: &[&str], star: bool, double_star: bool) -> Option<String> {
        let signature = sig(params);
        let callee = Callee {
            name: "m",
            qualname: "X.m",
            signature: &signature,
            implicit_first: true,
        };
        let mut args = call(positional, keywords);
        args.star = star;
        args.double_star = double_star;
        check_call(&callee, &args).err().map(|e| e.py3)
    }

    #[test]
    fn splatted_calls_are_reported_only_when_no_splat_could_rescue_them() {
        // A splat may supply what is missing: never claimed.
        assert_eq!(splat_call("self, a, b", 1, &[], true, false), None);
        assert_eq!(splat_call("self, a, b", 0, &[], false, true), None);
        // Too many explicit positional arguments, no *args.
        assert_eq!(
            splat_call("self, a", 2, &[], false, true).as_deref(),
            Some("X.m() takes 2 positional arguments but 3 were given")
        );
        assert_eq!(splat_call("self, a, *rest", 2, &[], false, true), None);
        // An explicit keyword the callee lacks, no **kwargs.
        assert_eq!(
            splat_call("self, a", 0, &["nope"], true, false).as_deref(),
            Some("X.m() got an unexpected keyword argument 'nope'")
        );
        assert_eq!(splat_call("self, a, **kw", 0, &["nope"], true, false), None);
        // An explicit keyword the explicit positionals already filled
        // (neutron's `cls.get_objects(context, validate_filters=..., **kwargs)`).
        assert_eq!(
            splat_call(
                "cls, validate_filters=True, **kwargs",
                1,
                &["validate_filters"],
                false,
                true
            )
            .as_deref(),
            Some("X.m() got multiple values for argument 'validate_filters'")
        );
        // A keyword for a slot only the splat might fill: not certain.
        assert_eq!(splat_call("self, a, b", 0, &["b"], true, false), None);
        // Positional arguments after `*x`: slots unknown.
        let signature = sig("self, a");
        let callee = Callee {
            name: "m",
            qualname: "X.m",
            signature: &signature,
            implicit_first: true,
        };
        let mut args = call(3, &["a"]);
        args.star = true;
        args.after_star = 1;
        assert_eq!(check_call(&callee, &args), Ok(()));
    }

    #[test]
    fn splatted_call_messages_match_python_with_empty_splats() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "self, a",
                "1, 2, **{}",
                "X.m() takes 2 positional arguments but 3 were given",
            ),
            (
                "self, a",
                "*(), nope=1",
                "X.m() got an unexpected keyword argument 'nope'",
            ),
            (
                "cls, validate_filters=True, **kwargs",
                "1, validate_filters=2, **{}",
                "X.m() got multiple values for argument 'validate_filters'",
            ),
        ];
        let mut script = String::new();
        for (params, args, _) in cases {
            script.push_str(&format!(
                "class X:\n    def m({params}): pass\ntry:\n    X().m({args})\nexcept TypeError as e:\n    print(e)\n"
            ));
        }
        let Ok(output) = std::process::Command::new("python3").arg("-c").arg(&script).output() else {
            eprintln!("note: python3 not found; skipping the interpreter comparison");
            return;
        };
        let stdout = String::from_utf8(output.stdout).unwrap();
        let printed: Vec<&str> = stdout.lines().collect();
        let expected: Vec<&str> = cases.iter().map(|c| c.2).collect();
        assert_eq!(printed, expected, "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(splat_call("self, a", 2, &[], false, true).as_deref(), Some(expected[0]));
    }

    #[test]
    fn python2_messages_match_hand_derived_text() {
        for case in CASES {
            let got = check(case).err().map(|e| e.py2);
            assert_eq!(
                got.as_deref(),
                case.py2,
                "py2 message for ({}) called with {} positional + {:?}",
                case.params,
                case.positional,
                case.keywords
            );
        }
    }

    #[test]
    fn python3_wording_details() {
        let signature = sig("self, a, b, c, d");
        let callee = Callee {
            name: "m",
            qualname: "X.m",
            signature: &signature,
            implicit_first: true,
        };
        assert_eq!(
            check_call(&callee, &call(0, &[])).unwrap_err().py3,
            "X.m() missing 4 required positional arguments: 'a', 'b', 'c', and 'd'"
        );
        assert_eq!(
            check_call(&callee, &call(1, &["d"])).unwrap_err().py3,
            "X.m() missing 2 required positional arguments: 'b' and 'c'"
        );
        let kwonly = sig("*, k");
        let static_callee = Callee {
            name: "m",
            qualname: "X.m",
            signature: &kwonly,
            implicit_first: false,
        };
        assert_eq!(
            check_call(&static_callee, &call(1, &["k"])).unwrap_err().py3,
            "X.m() takes 0 positional arguments but 1 positional argument (and 1 keyword-only argument) were given"
        );
        assert_eq!(
            check_call(&static_callee, &call(1, &[])).unwrap_err().py3,
            "X.m() takes 0 positional arguments but 1 was given"
        );
    }

    /// The Python source of one case: defines the class and prints the
    /// `str()` of the TypeError, or `OK`.
    fn python_snippet(case: &Case) -> String {
        let (decorator, receiver) = match case.kind {
            Kind::Instance => ("", format!("{}()", case.class)),
            Kind::Static => ("    @staticmethod\n", case.class.to_string()),
            Kind::Class => ("    @classmethod\n", case.class.to_string()),
        };
        let args: Vec<String> = (0..case.positional)
            .map(|i| i.to_string())
            .chain(case.keywords.iter().map(|k| format!("{k}=0")))
            .collect();
        format!(
            "class {class}:\n{decorator}    def {method}({params}): pass\n\
             try:\n    {receiver}.{method}({args})\n\
             except TypeError as e:\n    print(e)\nelse:\n    print('OK')\n",
            class = case.class,
            method = case.method,
            params = case.params,
            args = args.join(", "),
        )
    }

    #[test]
    fn python3_messages_match_the_real_interpreter() {
        let script: String = CASES.iter().map(python_snippet).collect();
        let output = match std::process::Command::new("python3").arg("-c").arg(&script).output() {
            Ok(output) => output,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("note: python3 not found; skipping the interpreter comparison");
                return;
            }
            Err(err) => panic!("running python3: {err}"),
        };
        assert!(
            output.status.success(),
            "python3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), CASES.len(), "one line per case:\n{stdout}");
        for (case, expected) in CASES.iter().zip(lines) {
            let got = match check(case) {
                Ok(()) => "OK".to_string(),
                Err(e) => e.py3,
            };
            assert_eq!(
                got, expected,
                "py3 message for ({}) called with {} positional + {:?}",
                case.params, case.positional, case.keywords
            );
            // A call is reported for Python 3 exactly when Python 2 text exists.
            assert_eq!(got == "OK", case.py2.is_none(), "case ({})", case.params);
        }
    }
}
