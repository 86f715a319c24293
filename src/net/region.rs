//! The six regions of the network model, in the fixed order every data table uses.

use std::fmt;
use std::str::FromStr;

/// A geographic region. The discriminant is the row/column in preset tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// North America.
    NA = 0,
    /// Europe.
    EU = 1,
    /// South America.
    SA = 2,
    /// Asia-Pacific.
    AP = 3,
    /// Japan.
    JP = 4,
    /// Australia.
    AU = 5,
}

impl Region {
    /// All regions in table order.
    pub const ALL: [Region; 6] = [Region::NA, Region::EU, Region::SA, Region::AP, Region::JP, Region::AU];

    /// Row/column index in preset tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The short name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        ["NA", "EU", "SA", "AP", "JP", "AU"][self.index()]
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Region, String> {
        Region::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown region `{s}`; allowed: NA, EU, SA, AP, JP, AU"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Region::ALL {
            assert_eq!(r.name().parse::<Region>(), Ok(r));
        }
        assert_eq!("eu".parse::<Region>(), Ok(Region::EU));
        assert!("XX".parse::<Region>().is_err());
    }
}
