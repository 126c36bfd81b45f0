//! Prints what shipshape-shell sees in a shell script read from standard input: each simple
//! command (after unwrapping wrappers), its subcommand, options and operands, its context, and
//! any syntax errors. `echo 'sudo apt-get install -qy curl' | cargo run -p shipshape-shell --example shdump`
#![allow(clippy::print_stdout)]

use std::io::Read;

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return;
    }
    let script = shipshape_shell::parse_script(&text);
    for c in &script.commands {
        println!("{:?} {:?}", c.span.slice(&text), c.command_name());
        if !c.wrappers.is_empty() {
            println!("  wrappers: {:?}", c.wrappers.iter().map(|w| &w.name).collect::<Vec<_>>());
        }
        let args = c.parse_args();
        if let Some(sub) = args.subcommand() {
            println!("  subcommand: {:?}", sub.value);
        }
        for o in &args.options {
            println!("  option {} {:?}", o.name, o.value);
        }
        for w in args.operands() {
            println!("  operand {:?}", w.value);
        }
        for p in c.packages() {
            println!("  package {} {:?} {:?}", p.name, p.operator, p.version);
        }
        println!("  context: {:?}", c.context);
    }
    for e in &script.errors {
        println!("error: {} at {:?}", e.message, e.span.slice(&text));
    }
}
