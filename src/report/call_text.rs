//! A call as one line of text, for reports and commit messages: the call
//! as written, wrapped lines joined, comments dropped.
//!
//! Only the parse stage knows where strings and comments are, so this asks
//! it for the call's token layout: a `#` inside a string is not a comment,
//! and a string's spaces are its value, never collapsed.

use crate::scan::token_layout;

/// `call` (the bytes of a call expression) on one line: comments dropped,
/// each run of whitespace (line breaks and backslash continuations
/// included) outside strings made one space, and none kept just inside a
/// bracket. `self._m(a,  # first\n    b)` becomes `self._m(a, b)`.
///
/// The call alone is parsed, not its file: it is a whole expression, so its
/// strings and comments are the same tokens there as in the file, and a
/// snippet costs microseconds where the file would cost milliseconds.
pub fn call_text(call: &[u8]) -> String {
    let layout = token_layout(call);
    let mut strings = layout.strings.iter().peekable();
    let mut comments = layout.comments.iter().peekable();
    let mut out: Vec<u8> = Vec::with_capacity(call.len());
    let mut space = false;
    let mut i = 0;
    while i < call.len() {
        if let Some(s) = strings.next_if(|s| s.start == i) {
            push_space(&mut out, &mut space, call[i]);
            out.extend_from_slice(&call[s.clone()]);
            i = s.end;
            continue;
        }
        if let Some(c) = comments.next_if(|c| c.start == i) {
            space = true;
            i = c.end;
            continue;
        }
        let byte = call[i];
        let continuation = byte == b'\\' && matches!(call.get(i + 1), Some(b'\n' | b'\r'));
        if byte.is_ascii_whitespace() || continuation {
            space = true;
        } else {
            push_space(&mut out, &mut space, byte);
            out.push(byte);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the pending space before `next`, unless it would open the line,
/// follow an opening bracket or precede a closing one.
fn push_space(out: &mut Vec<u8>, space: &mut bool, next: u8) {
    if std::mem::take(space)
        && out.last().is_some_and(|b| !matches!(b, b'(' | b'[' | b'{'))
        && !matches!(next, b')' | b']' | b'}')
    {
        out.push(b' ');
    }
}

#[cfg(test)]
mod tests {
    use super::call_text;

    fn text(call: &str) -> String {
        call_text(call.as_bytes())
    }

    #[test]
    fn wrapped_calls_read_as_one_line() {
        assert_eq!(
            text("self._attach_volume(\n    context, vol,\n    props\n)"),
            "self._attach_volume(context, vol, props)"
        );
        assert_eq!(text("self.f( [ a ,b ] ,{ 'k' : v } )"), "self.f([a ,b] ,{'k' : v})");
    }

    #[test]
    fn comments_are_dropped() {
        assert_eq!(text("self._m(a,  # first\n         b)"), "self._m(a, b)");
        assert_eq!(
            text("self._m(  # why\n    a,\n    # a whole line\n    b,  # last\n)"),
            "self._m(a, b,)"
        );
    }

    /// A `#` in a string is no comment, and a string's spaces (and
    /// brackets) are its value.
    #[test]
    fn strings_are_kept_as_written() {
        assert_eq!(
            text("self.log('a  # not a comment',\n         \"( x )\")  # but this is"),
            "self.log('a  # not a comment', \"( x )\")"
        );
        assert_eq!(text("self.f(u'x'  'y', b\"#\")"), "self.f(u'x' 'y', b\"#\")");
    }

    #[test]
    fn continuations_and_old_line_endings() {
        assert_eq!(text("self.f(a, \\\n       b)"), "self.f(a, b)");
        assert_eq!(text("self.f(a,  # one\r       b)"), "self.f(a, b)");
        assert_eq!(text("self.f(a,  # one\r\n       b)"), "self.f(a, b)");
    }
}
