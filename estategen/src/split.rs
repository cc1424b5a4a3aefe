//! One generated estate cut into several files, as a team keeps it.

/// Cuts a description into `n` files of about equal size at entry
/// boundaries; each file opens the sections its entries belong to (so a
/// section may appear in several files, which is how split estates look).
pub fn split(text: &str, n: usize) -> Vec<String> {
    let mut entries: Vec<(usize, String)> = Vec::new();
    let mut sections: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() || line.starts_with("version:") {
            continue;
        }
        if !line.starts_with(' ') {
            sections.push(line);
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            entries.push((sections.len() - 1, format!("{line}\n")));
        } else if let Some(last) = entries.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    let per = entries.len().div_ceil(n.max(1)).max(1);
    entries
        .chunks(per)
        .map(|chunk| {
            let mut out = String::from("version: 1\n");
            let mut open = usize::MAX;
            for (s, e) in chunk {
                if *s != open {
                    out.push_str(sections[*s]);
                    out.push('\n');
                    open = *s;
                }
                out.push_str(e);
            }
            out
        })
        .collect()
}
