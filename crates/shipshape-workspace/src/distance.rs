//! Edit distance for "did you mean ...?" suggestions.

use std::collections::HashMap;

/// The Damerau-Levenshtein distance between `a` and `b`, counted in characters: the fewest
/// insertions, deletions, substitutions and transpositions of adjacent characters that turn one
/// into the other. Unlike the "optimal string alignment" variant, a transposed pair may be
/// edited further (`ca` → `abc` is 2).
pub(crate) fn damerau_levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let infinity = n + m;
    // `d` has (n + 2) rows and (m + 2) columns; row and column 0 hold `infinity` so that
    // transpositions reaching before the start never win. Cell (i + 1, j + 1) is the distance
    // between the first i characters of `a` and the first j of `b`.
    let width = m + 2;
    let mut d = vec![0usize; (n + 2) * width];
    let at = |row: usize, col: usize| row * width + col;
    d[at(0, 0)] = infinity;
    for i in 0..=n {
        d[at(i + 1, 0)] = infinity;
        d[at(i + 1, 1)] = i;
    }
    for j in 0..=m {
        d[at(0, j + 1)] = infinity;
        d[at(1, j + 1)] = j;
    }
    // The last row (1-based) in which each character of `a` was seen.
    let mut last_row: HashMap<char, usize> = HashMap::new();
    for i in 1..=n {
        // The last column (1-based) in this row where a[i - 1] matched.
        let mut last_match_col = 0;
        for j in 1..=m {
            let k = last_row.get(&b[j - 1]).copied().unwrap_or(0);
            let l = last_match_col;
            let cost = if a[i - 1] == b[j - 1] {
                last_match_col = j;
                0
            } else {
                1
            };
            let substitute = d[at(i, j)] + cost;
            let insert = d[at(i + 1, j)] + 1;
            let delete = d[at(i, j + 1)] + 1;
            let transpose = d[at(k, l)] + (i - k - 1) + 1 + (j - l - 1);
            d[at(i + 1, j + 1)] = substitute.min(insert).min(delete).min(transpose);
        }
        last_row.insert(a[i - 1], i);
    }
    d[at(n + 1, m + 1)]
}

/// The candidate closest to `word` (case-insensitive), if it is close enough to be a plausible
/// typo: at most a third of the longer word's length, and at least one edit allowed. Ties go to
/// the earlier candidate.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let word_len = word_lower.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let candidate_lower = candidate.to_lowercase();
        let distance = damerau_levenshtein(&word_lower, &candidate_lower);
        let longest = word_len.max(candidate_lower.chars().count());
        let allowed = ((longest + 1) / 3).max(1);
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `"; did you mean `x`?"`, or nothing.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_edit() {
        assert_eq!(damerau_levenshtein("", ""), 0);
        assert_eq!(damerau_levenshtein("abc", ""), 3);
        assert_eq!(damerau_levenshtein("", "abc"), 3);
        assert_eq!(damerau_levenshtein("ignore", "ignore"), 0);
        assert_eq!(damerau_levenshtein("ignroe", "ignore"), 1, "transposition");
        assert_eq!(damerau_levenshtein("ignre", "ignore"), 1, "insertion");
        assert_eq!(damerau_levenshtein("ignoore", "ignore"), 1, "deletion");
        assert_eq!(damerau_levenshtein("ignare", "ignore"), 1, "substitution");
        assert_eq!(damerau_levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn allows_edits_across_a_transposition() {
        // The restricted (optimal string alignment) variant says 3 here.
        assert_eq!(damerau_levenshtein("ca", "abc"), 2);
        assert_eq!(damerau_levenshtein("abc", "ca"), 2);
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(damerau_levenshtein("é", "e"), 1);
        assert_eq!(damerau_levenshtein("aé", "éa"), 1);
    }

    #[test]
    fn suggests_only_plausible_typos() {
        let keys = ["fail-on", "rules", "severity", "ignore", "registries"];
        assert_eq!(nearest("ignroe", keys), Some("ignore"));
        assert_eq!(nearest("fail_on", keys), Some("fail-on"));
        assert_eq!(nearest("registry", keys), Some("registries"));
        assert_eq!(nearest("Rule", keys), Some("rules"));
        assert_eq!(nearest("colour", keys), None);
        assert_eq!(nearest("x", keys), None);
        assert_eq!(did_you_mean("sevrity", keys), "; did you mean `severity`?");
        assert_eq!(did_you_mean("zzz", keys), "");
    }

    #[test]
    fn prefers_the_closest_then_the_first() {
        assert_eq!(nearest("PRV01", ["PRV011", "PRV001", "PRV01X"]), Some("PRV011"));
        assert_eq!(nearest("PRV0011", ["PRV001", "PRV0012"]), Some("PRV001"));
    }
}
