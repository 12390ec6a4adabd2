//! What stands on each site of the torus, as bitsets along every row and every column, so
//! that an agent counts the cops, the active citizens or the empty sites in its vision with
//! a few popcounts instead of a lookup a site, and picks the j-th of them without a list.
//!
//! A vision shape is a list of site offsets in a fixed order (the model's draws pick "the
//! j-th empty site in vision" in that order). [`Segments`] cuts the list into runs of
//! consecutive sites along a row or a column; [`Occupancy`] keeps, for each kind of site,
//! every row and every column as a bitset stored twice over (bits `0..n` and `n..2n`), so
//! that a run that wraps round the torus is one shifted read of at most 64 bits. Counting
//! and selecting through segments gives exactly what a scan of the offset list would,
//! duplicates included (on a small torus an offset list can name a site twice).

/// What a bit marks. Each kind has its own bitsets; a site can be in none (a quiet or
/// jailed citizen) or one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No agent on the site.
    Free = 0,
    /// A cop on the site.
    Cop = 1,
    /// An active citizen on the site.
    Active = 2,
}

const KINDS: usize = 3;

/// A run of consecutive sites of a vision shape, relative to the agent's site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    /// Along a column (dy grows) rather than a row (dx grows).
    column: bool,
    /// Offset of the run's first site.
    dx: i64,
    dy: i64,
    /// Sites in the run (1 to 64, and no more than the line is long).
    len: u32,
}

/// Where one run starts, seen from one site.
#[derive(Clone, Copy, Debug)]
struct Start {
    /// Bit offset into a kind's bitsets.
    bit: u32,
    /// The run's first site, on the torus.
    x: u16,
    y: u16,
}

/// A vision shape cut into row and column runs, in the order of its offset list, with
/// where every run starts from every site precomputed.
pub struct Segments {
    segs: Vec<Segment>,
    /// `at[site * segs.len() + s]`: where run `s` starts, seen from `site`.
    at: Vec<Start>,
    width: u32,
    height: u32,
}

/// At most this many runs are read into a buffer on the stack when counting and picking
/// in one go; longer shapes read twice.
const BUFFERED: usize = 16;

impl Segments {
    /// Cut `offsets` (in order) into runs: a run grows while the next offset is the next
    /// site along its row (dx + 1) or its column (dy + 1), up to 64 sites and the length
    /// of the line.
    pub fn new(offsets: &[(i64, i64)], occ: &Occupancy) -> Segments {
        let mut segs: Vec<Segment> = Vec::new();
        for &(dx, dy) in offsets {
            if let Some(last) = segs.last_mut() {
                let (line, next) = if last.column {
                    (occ.height, (last.dx, last.dy + last.len as i64))
                } else {
                    (occ.width, (last.dx + last.len as i64, last.dy))
                };
                let cap = line.min(64) as u32;
                if next == (dx, dy) && last.len < cap {
                    last.len += 1;
                    continue;
                }
                // A run of one site may still turn into a column run.
                if last.len == 1
                    && !last.column
                    && (last.dx, last.dy + 1) == (dx, dy)
                    && occ.height >= 2
                {
                    last.column = true;
                    last.len = 2;
                    continue;
                }
            }
            segs.push(Segment {
                column: false,
                dx,
                dy,
                len: 1,
            });
        }
        let (w, h) = (occ.width as i64, occ.height as i64);
        let mut at = Vec::with_capacity(w as usize * h as usize * segs.len());
        for site in 0..(w * h) {
            let (x, y) = (site % w, site / w);
            for s in &segs {
                let (sx, sy) = ((x + s.dx).rem_euclid(w), (y + s.dy).rem_euclid(h));
                at.push(Start {
                    bit: if s.column {
                        occ.column_bit(sx as usize, sy as usize)
                    } else {
                        occ.row_bit(sy as usize, sx as usize)
                    } as u32,
                    x: sx as u16,
                    y: sy as u16,
                });
            }
        }
        Segments {
            segs,
            at,
            width: w as u32,
            height: h as u32,
        }
    }

    /// The runs seen from `site`.
    #[inline(always)]
    fn from(&self, site: u32) -> &[Start] {
        let n = self.segs.len();
        &self.at[site as usize * n..site as usize * n + n]
    }

    /// The site `step` sites along run `s` starting at `at`.
    #[inline(always)]
    fn site(&self, s: &Segment, at: Start, step: u32) -> u32 {
        let (mut x, mut y) = (at.x as u32, at.y as u32);
        if s.column {
            y += step;
            if y >= self.height {
                y -= self.height;
            }
        } else {
            x += step;
            if x >= self.width {
                x -= self.width;
            }
        }
        y * self.width + x
    }

    /// Runs in the shape.
    pub fn runs(&self) -> usize {
        self.segs.len()
    }

    /// Sites of `kind` in the vision of `site`, counted as a scan of the offset list would.
    #[inline(always)]
    pub fn count(&self, occ: &Occupancy, kind: Kind, site: u32) -> u32 {
        let bits = &occ.bits[kind as usize];
        self.from(site)
            .iter()
            .zip(&self.segs)
            .map(|(a, s)| read(bits, a.bit, s.len).count_ones())
            .sum()
    }

    /// Sites of two kinds in the vision of `site`, in one pass.
    #[inline(always)]
    pub fn count2(&self, occ: &Occupancy, kinds: [Kind; 2], site: u32) -> [u32; 2] {
        let (b0, b1) = (&occ.bits[kinds[0] as usize], &occ.bits[kinds[1] as usize]);
        let mut n = [0, 0];
        for (a, s) in self.from(site).iter().zip(&self.segs) {
            n[0] += read(b0, a.bit, s.len).count_ones();
            n[1] += read(b1, a.bit, s.len).count_ones();
        }
        n
    }

    /// The `j`-th site of `kind` (from 0) in the vision of `site`, in the order of the
    /// offset list, or `None` if there are no more than `j`.
    #[inline(always)]
    pub fn select(&self, occ: &Occupancy, kind: Kind, site: u32, j: u32) -> Option<u32> {
        let bits = &occ.bits[kind as usize];
        let from = self.from(site);
        let words = from
            .iter()
            .zip(&self.segs)
            .map(|(a, s)| read(bits, a.bit, s.len));
        self.nth(words, from, j)
    }

    /// The `j`-th set bit (from 0) over the runs' words `words` seen from the starts
    /// `from`, as a site; `None` if there are no more than `j`.
    #[inline(always)]
    fn nth(&self, words: impl Iterator<Item = u64>, from: &[Start], mut j: u32) -> Option<u32> {
        for ((v, &a), s) in words.zip(from).zip(&self.segs) {
            let c = v.count_ones();
            if j < c {
                return Some(self.site(s, a, nth_bit(v, j)));
            }
            j -= c;
        }
        None
    }

    /// Count the sites of `kind` in the vision of `site`; if there are any, `pick(n)`
    /// says which (below n) and that site is returned. One read of the bitsets where the
    /// shape is short enough to buffer.
    #[inline(always)]
    pub fn pick(
        &self,
        occ: &Occupancy,
        kind: Kind,
        site: u32,
        pick: impl FnOnce(u32) -> u32,
    ) -> Option<u32> {
        let n = self.segs.len();
        if n > BUFFERED {
            let c = self.count(occ, kind, site);
            return (c > 0)
                .then(|| self.select(occ, kind, site, pick(c)))
                .flatten();
        }
        let bits = &occ.bits[kind as usize];
        let mut buf = [0u64; BUFFERED];
        let from = self.from(site);
        let mut c = 0;
        for ((v, a), s) in buf.iter_mut().zip(from).zip(&self.segs) {
            *v = read(bits, a.bit, s.len);
            c += v.count_ones();
        }
        if c == 0 {
            return None;
        }
        self.nth(buf.iter().copied(), from, pick(c))
    }
}

/// The position of the `j`-th set bit of `v` (from 0; `j` below its set bits).
#[inline(always)]
fn nth_bit(mut v: u64, j: u32) -> u32 {
    for _ in 0..j {
        v &= v - 1;
    }
    v.trailing_zeros()
}

/// `len` (1 to 64) bits from bit offset `b` of `bits`.
#[inline(always)]
fn read(bits: &[u64], b: u32, len: u32) -> u64 {
    let w = (b >> 6) as usize;
    let pair = (bits[w + 1] as u128) << 64 | bits[w] as u128;
    let v = (pair >> (b & 63)) as u64;
    if len >= 64 {
        v
    } else {
        v & ((1u64 << len) - 1)
    }
}

/// The torus's sites as bitsets of each [`Kind`], along rows and along columns, each line
/// stored twice over so that a run across the seam is one read.
pub struct Occupancy {
    width: usize,
    height: usize,
    /// Words a row takes (both copies and one word of padding for the two-word read).
    row_words: usize,
    col_words: usize,
    /// Per kind: every row, then every column.
    bits: [Vec<u64>; KINDS],
    /// Sites marked [`Kind::Free`].
    free: u32,
    /// The bit of every site's first copy in its row and in its column.
    site_bits: Vec<[u32; 2]>,
}

impl Occupancy {
    /// An empty torus: every site free.
    pub fn new(width: usize, height: usize) -> Occupancy {
        let row_words = (2 * width).div_ceil(64) + 1;
        let col_words = (2 * height).div_ceil(64) + 1;
        let total = height * row_words + width * col_words;
        let mut occ = Occupancy {
            width,
            height,
            row_words,
            col_words,
            bits: std::array::from_fn(|_| vec![0; total]),
            free: 0,
            site_bits: Vec::new(),
        };
        occ.site_bits = (0..width * height)
            .map(|site| {
                let (x, y) = (site % width, site / width);
                [occ.row_bit(y, x) as u32, occ.column_bit(x, y) as u32]
            })
            .collect();
        for site in 0..width * height {
            occ.set(Kind::Free, site as u32);
        }
        occ
    }

    fn row_bit(&self, y: usize, x: usize) -> usize {
        y * self.row_words * 64 + x
    }

    fn column_bit(&self, x: usize, y: usize) -> usize {
        (self.height * self.row_words + x * self.col_words) * 64 + y
    }

    #[inline(always)]
    fn flip(&mut self, kind: Kind, site: u32, on: bool) {
        let [r, c] = self.site_bits[site as usize];
        let (r, c) = (r as usize, c as usize);
        let positions = [r, r + self.width, c, c + self.height];
        let bits = &mut self.bits[kind as usize];
        for b in positions {
            if on {
                bits[b >> 6] |= 1 << (b & 63);
            } else {
                bits[b >> 6] &= !(1 << (b & 63));
            }
        }
    }

    /// Mark `site` as of `kind` (it must not be already).
    #[inline(always)]
    pub fn set(&mut self, kind: Kind, site: u32) {
        debug_assert!(!self.is(kind, site));
        self.flip(kind, site, true);
        if kind == Kind::Free {
            self.free += 1;
        }
    }

    /// Unmark `site` as of `kind` (it must be).
    #[inline(always)]
    pub fn clear(&mut self, kind: Kind, site: u32) {
        debug_assert!(self.is(kind, site));
        self.flip(kind, site, false);
        if kind == Kind::Free {
            self.free -= 1;
        }
    }

    /// Whether `site` is marked as of `kind`.
    pub fn is(&self, kind: Kind, site: u32) -> bool {
        let b = self.site_bits[site as usize][0] as usize;
        self.bits[kind as usize][b >> 6] >> (b & 63) & 1 == 1
    }

    /// Free sites on the whole torus.
    pub fn free_sites(&self) -> u32 {
        self.free
    }

    /// The `j`-th free site (from 0) in site order, or `None` if there are no more than `j`.
    pub fn nth_free(&self, mut j: u32) -> Option<u32> {
        let bits = &self.bits[Kind::Free as usize];
        for y in 0..self.height {
            let row = &bits[y * self.row_words..];
            let mut x = 0;
            while x < self.width {
                let len = (self.width - x).min(64) as u32;
                let v = read(row, x as u32, len);
                let c = v.count_ones();
                if j < c {
                    return Some((y * self.width + x + nth_bit(v, j) as usize) as u32);
                }
                j -= c;
                x += 64;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::epstein::{Neighbourhood, neighbourhood};
    use proptest::prelude::*;

    /// The offset list scanned site by site: the reference the bitsets must equal.
    fn in_view(w: usize, h: usize, offsets: &[(i64, i64)], site: u32) -> Vec<u32> {
        let (x, y) = ((site as usize % w) as i64, (site as usize / w) as i64);
        offsets
            .iter()
            .map(|&(dx, dy)| {
                let nx = (x + dx).rem_euclid(w as i64) as usize;
                let ny = (y + dy).rem_euclid(h as i64) as usize;
                (ny * w + nx) as u32
            })
            .collect()
    }

    fn shape(k: u8) -> Neighbourhood {
        match k % 3 {
            0 => Neighbourhood::Cross,
            1 => Neighbourhood::Diamond,
            _ => Neighbourhood::Disc,
        }
    }

    /// A torus whose sites hold what `state` says (0 free, 1 cop, 2 active, 3 neither).
    fn fill(w: usize, h: usize, state: &[u8]) -> Occupancy {
        let mut occ = Occupancy::new(w, h);
        for (site, &s) in state.iter().enumerate().take(w * h) {
            let site = site as u32;
            if s != 0 {
                occ.clear(Kind::Free, site);
            }
            match s {
                1 => occ.set(Kind::Cop, site),
                2 => occ.set(Kind::Active, site),
                _ => {}
            }
        }
        occ
    }

    proptest! {
        #[test]
        fn counts_and_picks_equal_a_scan_of_the_offset_list(
            w in 1usize..80,
            h in 1usize..80,
            v in 1i64..22,
            k in 0u8..3,
            state in proptest::collection::vec(0u8..4, 6400),
            site in 0usize..6400,
            j in 0u32..300,
        ) {
            let offsets = neighbourhood(shape(k), v);
            let occ = fill(w, h, &state);
            let segs = Segments::new(&offsets, &occ);
            let site = (site % (w * h)) as u32;
            let view = in_view(w, h, &offsets, site);
            for (kind, code) in [(Kind::Free, 0u8), (Kind::Cop, 1), (Kind::Active, 2)] {
                let of_kind: Vec<u32> =
                    view.iter().copied().filter(|&c| state[c as usize] == code).collect();
                prop_assert_eq!(segs.count(&occ, kind, site), of_kind.len() as u32);
                prop_assert_eq!(segs.select(&occ, kind, site, j), of_kind.get(j as usize).copied());
                let picked = segs.pick(&occ, kind, site, |n| {
                    assert_eq!(n as usize, of_kind.len());
                    j % n
                });
                let wanted = (!of_kind.is_empty()).then(|| of_kind[j as usize % of_kind.len()]);
                prop_assert_eq!(picked, wanted);
            }
            let count = |code: u8| view.iter().filter(|&&c| state[c as usize] == code).count() as u32;
            prop_assert_eq!(segs.count2(&occ, [Kind::Cop, Kind::Active], site), [count(1), count(2)]);
            let free: Vec<u32> = (0..(w * h) as u32).filter(|&c| state[c as usize] == 0).collect();
            prop_assert_eq!(occ.free_sites(), free.len() as u32);
            prop_assert_eq!(occ.nth_free(j), free.get(j as usize).copied());
        }

        #[test]
        fn set_and_clear_undo_each_other(
            w in 1usize..70,
            h in 1usize..70,
            moves in proptest::collection::vec((0usize..4900, 0u8..3), 1..200),
        ) {
            let mut occ = Occupancy::new(w, h);
            let mut state = vec![0u8; w * h];
            let kinds = [Kind::Free, Kind::Cop, Kind::Active];
            for (site, to) in moves {
                let site = site % (w * h);
                occ.clear(kinds[state[site] as usize], site as u32);
                occ.set(kinds[to as usize], site as u32);
                state[site] = to;
            }
            for (site, &s) in state.iter().enumerate() {
                for (i, &kind) in kinds.iter().enumerate() {
                    prop_assert_eq!(occ.is(kind, site as u32), s as usize == i);
                }
            }
            prop_assert_eq!(
                occ.free_sites() as usize,
                state.iter().filter(|&&s| s == 0).count()
            );
        }
    }

    #[test]
    fn a_cross_is_four_runs_and_a_diamond_one_a_row() {
        let occ = Occupancy::new(40, 40);
        assert_eq!(
            Segments::new(&neighbourhood(Neighbourhood::Cross, 7), &occ).runs(),
            4
        );
        // Rows dy = -7..=7, the centre row split in two.
        assert_eq!(
            Segments::new(&neighbourhood(Neighbourhood::Diamond, 7), &occ).runs(),
            16
        );
    }
}
