//! A naive Bayes over words, word pairs and emoji, trained at start-up from the labelled
//! set (tests/data/contributions-labelled.jsonl, compacted by build.rs and compiled in). It generalises where the cue
//! lists are silent; the cues stay the explanation. Its evidence is the tokens that weighed
//! most for the label.
//!
//! Each token counts once per text (binarised multinomial naive Bayes: on short texts a
//! repeated word says little more), tokens never seen in training are left out rather than
//! smoothed in (an unseen word is no evidence for any label), and words may be cut to their
//! first [`STEM`] letters so that `rembourse`, `remboursement` and `remboursé` are one token.
//! [`SMOOTHING`] and [`STEM`] are chosen by cross-validation
//! (`evaluate::tune_word_model`, `make classification-report TUNE=1`): on 766 examples it
//! chose six letters, on 1,985 whole words (with more examples, a word's endings say
//! something: "rembourser" asks, "remboursé" thanks).
//!
//! Training is counting: no allocation for a token already seen, no logarithm beyond a table
//! of ln(n + smoothing). `make classification-report` prints what training the shipped
//! examples takes (docs/architecture.md quotes it).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::text::fold;
use super::Label;

/// The labelled set as `{label's place in Label::ALL}<TAB>text` lines, deflated (build.rs).
const TRAINING: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/training.tsv.deflate"));

/// Add-α smoothing of the token counts, chosen by cross-validation.
pub const SMOOTHING: f64 = 0.1;
/// Letters a word is cut to (0: whole words), chosen by cross-validation.
pub const STEM: usize = 0;

/// How a model is trained: the shipped values are [`SMOOTHING`] and [`STEM`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub smoothing: f64,
    pub stem: usize,
}

impl Settings {
    pub const SHIPPED: Settings = Settings {
        smoothing: SMOOTHING,
        stem: STEM,
    };
}

const LABELS: usize = Label::ALL.len();

fn index(label: Label) -> usize {
    Label::ALL.iter().position(|l| *l == label).unwrap_or(0)
}

/// FNV-1a: the tokens are short and ours, so a fast hash beats SipHash's flood resistance
/// (training at start-up hashes about 25,000 of them).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Table<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

pub struct Model {
    settings: Settings,
    /// log P(label)
    priors: [f64; LABELS],
    /// log of each label's smoothed token total.
    denominators: [f64; LABELS],
    /// How many training texts of each label hold the token, in `Label::ALL` order.
    counts: Table<[u32; LABELS]>,
    /// ln(n + smoothing) for every count n up to the largest: no logarithm is taken at
    /// start-up beyond these.
    ln_smoothed: Vec<f64>,
}

pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::train(
        base_examples()
            .iter()
            .map(|(text, label)| (text.as_str(), *label)),
    )
});

/// The labelled examples the shipped word model learns from; a brand's learned model
/// (`crate::learning`) learns from them and from its staff's corrections.
pub fn base_examples() -> &'static [(String, Label)] {
    &BASE_EXAMPLES
}

/// Read once: a brand's learned model retrains from them at every refresh.
static BASE_EXAMPLES: LazyLock<Vec<(String, Label)>> = LazyLock::new(|| {
    // Written by build.rs from a set it checked: an error here is a broken build, and the
    // classifier would have only its cues (a test inflates every line back).
    let lines = miniz_oxide::inflate::decompress_to_vec(TRAINING)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    lines
        .lines()
        .filter_map(|line| {
            let (place, text) = line.split_once('\t')?;
            let label = Label::ALL.get(place.parse::<usize>().ok()?)?;
            Some((text.to_string(), *label))
        })
        .collect()
});

/// The distinct tokens of a text, as the shipped model reads it: word stems of three letters
/// or more, pairs of adjacent stems (short words included: "no reply", "pas reçu"), and
/// emoji.
pub fn tokens(text: &str) -> Vec<String> {
    distinct(text, STEM)
}

fn distinct(text: &str, stem: usize) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, stem, |t| out.push(t.to_string()));
    out.sort_unstable();
    out.dedup();
    out
}

/// Calls `f` with every token of `text`, repeats included, from reused buffers: training
/// reads 25,000 tokens at start-up and allocates only for the new ones.
fn each_token(text: &str, stem: usize, mut f: impl FnMut(&str)) {
    let folded = fold(text);
    let mut previous = String::new();
    let mut current = String::new();
    let mut pair = String::new();
    for word in folded.split_whitespace() {
        current.clear();
        stem_into(word, stem, &mut current);
        if current.chars().count() >= 3 {
            f(&current);
        }
        if !previous.is_empty() {
            pair.clear();
            pair.push_str(&previous);
            pair.push(' ');
            pair.push_str(&current);
            f(&pair);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let mut utf8 = [0u8; 4];
    for c in text.chars().filter(|c| is_emoji(*c)) {
        f(c.encode_utf8(&mut utf8));
    }
}

/// The word's first `stem` letters (all of them for 0), a letter written three times or more
/// written once: "merciii", "pleaseee" and "beauuu" are "merci", "please" and "beau".
fn stem_into(word: &str, stem: usize, into: &mut String) {
    let limit = if stem == 0 { usize::MAX } else { stem };
    let mut written = 0;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        for _ in 0..if run >= 3 { 1 } else { run } {
            if written == limit {
                return;
            }
            into.push(c);
            written += 1;
        }
    }
}

/// Pictographs and symbols (😍, 😡, 👏, ❤, 🔥), without the joiners and modifiers that
/// only change how they look.
fn is_emoji(c: char) -> bool {
    let code = u32::from(c);
    (0x2600..=0x27BF).contains(&code)
        || (0x1F300..=0x1FAFF).contains(&code) && !(0x1F3FB..=0x1F3FF).contains(&code)
}

impl Model {
    pub fn train<'a>(examples: impl Iterator<Item = (&'a str, Label)>) -> Model {
        Model::train_with(examples, Settings::SHIPPED)
    }

    pub fn train_with<'a>(
        examples: impl Iterator<Item = (&'a str, Label)>,
        settings: Settings,
    ) -> Model {
        let mut docs = [0usize; LABELS];
        let mut sums = [0u64; LABELS];
        // The counts, and the last text that counted each token (a token counts once a text).
        let mut counts: Table<([u32; LABELS], usize)> = Table::default();
        counts.reserve(16_384);
        for (n, (text, label)) in examples.enumerate() {
            let i = index(label);
            docs[i] += 1;
            each_token(text, settings.stem, |token| match counts.get_mut(token) {
                Some((row, last)) => {
                    if *last != n {
                        *last = n;
                        row[i] += 1;
                        sums[i] += 1;
                    }
                }
                None => {
                    let mut row = [0; LABELS];
                    row[i] = 1;
                    sums[i] += 1;
                    counts.insert(token.to_string(), (row, n));
                }
            });
        }
        let total: usize = docs.iter().sum();
        let vocabulary = counts.len().max(1) as f64;
        let alpha = settings.smoothing;
        let mut priors = [0.0; LABELS];
        let mut denominators = [0.0; LABELS];
        for i in 0..LABELS {
            priors[i] = ((docs[i] as f64 + 1.0) / (total as f64 + LABELS as f64)).ln();
            denominators[i] = (sums[i] as f64 + alpha * vocabulary).ln();
        }
        let largest = docs.iter().copied().max().unwrap_or(0);
        Model {
            settings,
            priors,
            denominators,
            counts: counts.into_iter().map(|(t, (row, _))| (t, row)).collect(),
            ln_smoothed: (0..=largest).map(|n| (n as f64 + alpha).ln()).collect(),
        }
    }

    /// log P(token | label) for each label, for a token seen in training.
    fn likelihoods(&self, token: &str) -> Option<[f64; LABELS]> {
        let row = self.counts.get(token)?;
        let mut out = [0.0; LABELS];
        for i in 0..LABELS {
            out[i] = self.ln_smoothed[row[i] as usize] - self.denominators[i];
        }
        Some(out)
    }

    /// log P(label) + Σ log P(token | label) over the text's known tokens, in `Label::ALL`
    /// order, and how many of its tokens the model knows.
    pub fn log_scores(&self, text: &str) -> ([f64; LABELS], usize) {
        let mut scores = self.priors;
        let mut known = 0;
        for token in distinct(text, self.settings.stem) {
            if let Some(row) = self.likelihoods(&token) {
                known += 1;
                for i in 0..LABELS {
                    scores[i] += row[i];
                }
            }
        }
        (scores, known)
    }

    /// P(label | text) for every label, summing to 1.
    pub fn posteriors(&self, text: &str) -> Vec<(Label, f64)> {
        let (scores, _) = self.log_scores(text);
        Label::ALL
            .into_iter()
            .zip(normalise(&scores, 1.0))
            .collect()
    }

    /// The tokens of `text` that favour `label` most over the other labels.
    pub fn evidence(&self, text: &str, label: Label, most: usize) -> Vec<String> {
        let mine = index(label);
        let mut weighed: Vec<(f64, String)> = distinct(text, self.settings.stem)
            .into_iter()
            .filter_map(|t| {
                let row = self.likelihoods(&t)?;
                let others = (0..LABELS)
                    .filter(|i| *i != mine)
                    .map(|i| row[i])
                    .fold(f64::NEG_INFINITY, f64::max);
                (row[mine] > others).then_some((row[mine] - others, t))
            })
            .collect();
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0));
        weighed.into_iter().take(most).map(|(_, t)| t).collect()
    }
}

/// Softmax of log scores divided by `temperature` (naive Bayes multiplies evidence it should
/// not, so its raw posteriors are too sure: a temperature above 1 tempers them).
pub fn normalise(scores: &[f64; LABELS], temperature: f64) -> [f64; LABELS] {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut out = [0.0; LABELS];
    for i in 0..LABELS {
        out[i] = ((scores[i] - max) / temperature).exp();
    }
    let sum: f64 = out.iter().sum();
    for p in &mut out {
        *p /= sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_letters_and_word_endings_should_read_as_one_token() {
        let stem = |word: &str, n: usize| {
            let mut s = String::new();
            stem_into(word, n, &mut s);
            s
        };
        assert_eq!(stem("beauuu", 0), "beau");
        assert_eq!(stem("merciii", 0), "merci");
        assert_eq!(stem("coffee", 0), "coffee");
        assert_eq!(stem("pleaseeeee", 6), "please");
        // Cut to six letters, the forms of a word are one token; whole words (the shipped
        // STEM, 0, chosen by cross-validation on 1,985 examples) keep them apart.
        assert!(distinct("Remboursement", 6).contains(&"rembou".to_string()));
        assert_eq!(distinct("remboursé", 6), distinct("rembourser", 6));
        assert_eq!(
            tokens("Merciii remboursé"),
            ["merci", "merci rembourse", "rembourse"]
        );
    }

    #[test]
    fn emoji_should_be_tokens_and_short_words_should_pair() {
        let t = tokens("pas reçu 😡😡");
        assert!(t.contains(&"😡".to_string()), "{t:?}");
        assert!(t.contains(&"pas recu".to_string()), "{t:?}");
        assert_eq!(t.iter().filter(|x| *x == "😡").count(), 1);
    }

    #[test]
    fn the_shipped_model_should_train_on_the_labelled_set() {
        // Every labelled item survives the compaction, with its text and label.
        let jsonl = include_str!("../../../../tests/data/contributions-labelled.jsonl");
        let items = super::super::evaluate::read_examples(jsonl).unwrap();
        assert!(items.len() >= 700);
        assert_eq!(base_examples().len(), items.len());
        for (item, (text, label)) in items.iter().zip(base_examples()) {
            assert_eq!(Label::parse(&item.label), Some(*label), "{}", item.id);
            assert!(
                item.text.split_whitespace().eq(text.split_whitespace()),
                "{}",
                item.id
            );
        }
        let p = MODEL.posteriors("Colis jamais reçu, remboursement svp");
        let best = p.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|x| x.0);
        assert_eq!(best, Some(Label::Incident), "{p:?}");
        let sum: f64 = p.iter().map(|x| x.1).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }

    #[test]
    fn unseen_words_should_not_move_the_posteriors() {
        let (a, known) = MODEL.log_scores("zzqx wvvk");
        assert_eq!(known, 0);
        assert_eq!(a, MODEL.priors);
    }
}
