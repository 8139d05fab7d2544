//! Where a test replaces a method with a mock, so that a call of that name
//! on a typed instance is not judged against the real method.
//!
//! `mock.patch.object(drv, 'm')`, `self.mock_object(drv, 'm')`,
//! `mock.patch('pkg.C.m')` and `drv.m = mock.Mock()` (or any `x.m` used as
//! a value, such as `drv.m.assert_called_once_with(...)`) put a mock where
//! the method was, for a while: the function they stand in, the method they
//! decorate, every test of a class whose `setUp` does it, or the whole file
//! when done at module level or as a class decorator. A call inside that
//! reach may call the mock; outside it, the real method.

use crate::scan::syntax::{AttrRef, MethodScope, Module, Receiver, StringContext};

/// One replacement of `name`, and where it stands.
struct MockSite<'m> {
    name: &'m str,
    function_start: Option<usize>,
    scope: Option<MethodScope>,
    /// The method it decorates, when it is a decorator argument.
    decorates: Option<MethodScope>,
}

pub(crate) struct Mocks<'m> {
    sites: Vec<MockSite<'m>>,
    module: &'m Module,
}

impl<'m> Mocks<'m> {
    pub(crate) fn of(module: &'m Module) -> Self {
        let decorated = |offset: usize| -> Option<MethodScope> {
            module.classes.iter().enumerate().find_map(|(ci, c)| {
                c.methods.iter().enumerate().find_map(|(mi, m)| {
                    (m.def_range.start <= offset && offset < m.header_range.start)
                        .then_some(MethodScope { class: ci, method: mi })
                })
            })
        };
        let mut sites = Vec::new();
        for s in &module.string_refs {
            let name = match &s.context {
                StringContext::Patch => s.value.rsplit('.').next().unwrap_or(&s.value),
                StringContext::PatchObject { .. } => s.value.as_str(),
                StringContext::Getattr { .. } => continue,
            };
            sites.push(MockSite {
                name,
                function_start: s.function_start,
                scope: s.scope,
                decorates: if s.scope.is_none() {
                    decorated(s.value_range.start)
                } else {
                    None
                },
            });
        }
        for r in &module.attr_refs {
            if r.call.is_none() && matches!(r.receiver, Receiver::Dotted(_) | Receiver::SelfAttr(_)) {
                sites.push(MockSite {
                    name: &r.attr,
                    function_start: r.function_start,
                    scope: r.scope,
                    decorates: None,
                });
            }
        }
        Mocks { sites, module }
    }

    /// Whether the call `r`, in the method `caller`, may reach a mock of its
    /// method rather than the method.
    pub(crate) fn cover(&self, r: &AttrRef, caller: MethodScope) -> bool {
        self.sites.iter().any(|s| {
            if s.name != r.attr {
                return false;
            }
            if s.function_start.is_some() && s.function_start == r.function_start {
                return true;
            }
            if s.decorates == Some(caller) {
                return true;
            }
            match s.scope {
                // In a setUp of the same class: every test sees it.
                Some(scope) => {
                    scope.class == caller.class
                        && self.module.classes[scope.class].methods[scope.method]
                            .name
                            .starts_with("setUp")
                }
                // At module level, or decorating a class: everywhere (a
                // decorator of another method does not reach this one).
                None => s.decorates.is_none(),
            }
        })
    }
}
