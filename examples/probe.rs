fn main() {
    let which = std::env::args().nth(1).unwrap();
    let text = match which.as_str() {
        "flow" => "[".repeat(100_000),
        "block" => (0..10_000).map(|i| format!("{}- \n", " ".repeat(i))).collect(),
        "map" => (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
        _ => std::fs::read_to_string(&which).unwrap(),
    };
    let t = std::time::Instant::now();
    let r = faultline::yaml::parse(&text);
    println!("{:?} {:?}", r.map(|_| ()), t.elapsed());
}
