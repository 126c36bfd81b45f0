//! Parses arbitrary UTF-8 as shell (a script, and a Dockerfile `RUN` with either escape
//! character), then asks every command helper: nothing may panic, and every span must be a
//! valid range of the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_shell::{RunInput, Script, Span, parse_run, parse_script};

fn check(text: &str, script: &Script) {
    let ok = |span: Span| span.start <= span.end && text.get(span.range()).is_some();
    for c in &script.commands {
        assert!(ok(c.span), "command span {:?}", c.span);
        for w in std::iter::once(&c.name).chain(&c.args) {
            assert!(ok(w.span), "word span {:?}", w.span);
            if w.value.is_char_boundary(1) && !w.value.is_empty() {
                assert!(ok(w.span_of(0..1)));
            }
        }
        for r in &c.redirects {
            assert!(ok(r.span) && ok(r.target.span));
        }
        let _ = (c.subcommand(), c.options(), c.operands(), c.packages());
    }
    for p in &script.pipelines {
        assert!(ok(p.span), "pipeline span {:?}", p.span);
    }
    for k in &script.compounds {
        assert!(ok(k.span), "compound span {:?}", k.span);
    }
    for e in &script.errors {
        assert!(ok(e.span), "error span {:?}", e.span);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    check(text, &parse_script(text));
    for escape in ['\\', '`'] {
        let input = RunInput { escape: Some(escape), ..RunInput::new(text, 0) };
        check(text, &parse_run(&input));
    }
});
