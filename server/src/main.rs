//! `sotto-relay`: the store-and-forward relay (being built in issue 3).

fn main() {
    println!("sotto-relay: not built yet");
}
