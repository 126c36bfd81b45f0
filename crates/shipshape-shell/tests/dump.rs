use shipshape_shell::*;

#[test]
#[ignore]
fn dump() {
    let text = std::env::var("SH").unwrap();
    let s = parse_script(&text);
    for c in &s.commands {
        let words: Vec<String> = std::iter::once(&c.name)
            .chain(&c.args)
            .map(|w| format!("{:?}@{}..{}", w.value, w.span.start, w.span.end))
            .collect();
        println!(
            "{} eff={:?} wr={:?} ctx={:?} span={:?} {:?}",
            words.join(" "),
            c.command_name(),
            c.wrappers.iter().map(|w| &w.name).collect::<Vec<_>>(),
            c.context,
            c.span,
            c.span.slice(&text)
        );
        for r in &c.redirects {
            println!("   redirect {:?} {:?} {:?}", r.op, r.target.value, r.heredoc.as_ref().map(|h| &h.text));
        }
    }
    for b in &s.bare {
        println!("bare {:?}", b);
    }
    for k in &s.compounds {
        println!("compound {:?} {:?}", k.kind, k.span.slice(&text));
    }
    for p in &s.pipelines {
        println!("pipeline {:?} {:?}", p.span.slice(&text), p);
    }
    for e in &s.errors {
        println!("ERROR {} {:?} {:?}", e.message, e.span, e.span.slice(&text));
    }
}
