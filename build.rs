//! Joins each language's Fluent files (`locales/<language>/*.ftl`, in name order) into one
//! resource per language that `src/i18n` compiles into the binary. Cargo reruns this when
//! anything under `locales/` changes.

use std::path::Path;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for language in ["en", "es-CL"] {
        let folder = Path::new("locales").join(language);
        let mut files: Vec<_> = fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
            .collect();
        files.sort();
        let mut joined = String::new();
        for file in files {
            let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            joined.push_str(&format!("## {}\n", file.display()));
            joined.push_str(&text);
            joined.push('\n');
        }
        fs::write(Path::new(&out).join(format!("{language}.ftl")), joined).expect("OUT_DIR is writable");
    }
}
