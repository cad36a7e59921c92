//! One-time invitation codes handed to respondents drawn at random.

use std::fmt;

use rand::Rng;
use sha2::{Digest, Sha256};

/// Letters and digits that cannot be mistaken for one another when read
/// out by phone or typed from a slip (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH: usize = 10;

/// A one-time invitation code: 10 characters of a 31-letter alphabet
/// (about 50 bits), printed as two groups of five.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationCode(String);

impl fmt::Debug for InvitationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationCode(…)")
    }
}

impl InvitationCode {
    /// Reads a code as a citizen may type it: any case, with spaces or a
    /// dash anywhere.
    pub fn parse(text: &str) -> Option<InvitationCode> {
        let code: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b)))
            .then_some(InvitationCode(code))
    }

    /// A fresh code from `rng` (a cryptographic generator in use).
    pub fn random(rng: &mut impl Rng) -> InvitationCode {
        InvitationCode(
            (0..CODE_LENGTH)
                .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
                .collect(),
        )
    }

    /// What is stored of a code.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// As printed on a slip: "K7M2Q-9XRT4".
    pub fn printed(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// As carried in a link.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn codes_read_as_typed_and_print_in_two_groups() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let code = InvitationCode::random(&mut rng);
        assert_eq!(code.as_str().len(), 10);
        let printed = code.printed();
        assert_eq!(printed.len(), 11);
        assert_eq!(
            InvitationCode::parse(&printed.to_lowercase().replace('-', " - ")),
            Some(code.clone())
        );
        assert_eq!(
            InvitationCode::parse("ABCDE-FGHI1"),
            None,
            "I and 1 are not used"
        );
        assert_eq!(InvitationCode::parse("ABCDE"), None);
        assert_eq!(code.hash().len(), 64);
        assert_ne!(format!("{code:?}"), code.as_str(), "never logged");
    }
}
