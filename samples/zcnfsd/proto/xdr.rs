// SPDX-License-Identifier: GPL-2.0

//! XDR (RFC 4506) primitives.
//!
//! [`Decoder`] reads from a borrowed byte slice and hands out borrowed views
//! (`&'a [u8]`) for opaque data and strings; [`Encoder`] writes into a
//! caller's `&mut [u8]`. Every access is bounds-checked and every failure is
//! an [`XdrError`] value: nothing here panics, allocates or uses `unsafe`.
//!
//! Padding bytes are written as zeros and skipped (not checked) on decode,
//! as Linux's own sunrpc code does.

/// Why an XDR item could not be decoded or encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XdrError {
    /// The input ended before the item was complete.
    Short,
    /// The output buffer has no room for the item.
    NoSpace,
    /// A variable-length item is longer than its declared maximum.
    TooLong,
    /// A discriminant, boolean or other value is outside its allowed set,
    /// or two fields that must agree do not.
    BadValue,
}

/// Result of an XDR operation.
pub type XdrResult<T> = core::result::Result<T, XdrError>;

/// XDR basic unit: every item occupies a multiple of four bytes.
pub const UNIT: usize = 4;

/// Zero bytes to use as XDR padding (at most three are ever needed).
pub const PADDING: [u8; 3] = [0; 3];

/// Number of padding bytes that follow `len` bytes of opaque data.
pub const fn pad_len(len: usize) -> usize {
    match len % UNIT {
        0 => 0,
        1 => 3,
        2 => 2,
        _ => 1,
    }
}

/// The zero padding that follows `len` bytes of opaque data, as a slice of
/// [`PADDING`] (empty when `len` is a multiple of four).
pub fn padding_for(len: usize) -> &'static [u8] {
    PADDING.get(..pad_len(len)).unwrap_or(&[])
}

/// `len` rounded up to a multiple of four, or `None` on overflow.
pub const fn padded_len(len: usize) -> Option<usize> {
    len.checked_add(pad_len(len))
}

/// Size on the wire of a variable-length opaque or string of `len` bytes
/// (length word, data, padding), or `None` on overflow.
pub const fn opaque_wire_len(len: usize) -> Option<usize> {
    match padded_len(len) {
        Some(p) => p.checked_add(UNIT),
        None => None,
    }
}

/// Converts a wire length to `usize`.
fn wire_len(len: u32) -> XdrResult<usize> {
    usize::try_from(len).map_err(|_| XdrError::TooLong)
}

/// Copies `src` into `dst`; the callers make `dst` exactly as long as
/// `src` (checked again here, so this cannot panic).
fn copy_into(dst: &mut [u8], src: &[u8]) {
    if dst.len() == src.len() {
        dst.copy_from_slice(src);
    }
}

/// A bounds-checked XDR reader over a borrowed buffer.
///
/// The position only advances when an item was decoded completely; after an
/// error the decoder should be dropped (its position is then unspecified).
#[derive(Clone, Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder positioned at the start of `buf`.
    pub const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Offset of the next byte to decode, from the start of the buffer.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Number of bytes not yet decoded.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True when every byte has been decoded.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not yet decoded.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// The whole underlying buffer.
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }

    /// Takes the next `n` raw bytes (no padding).
    pub fn take(&mut self, n: usize) -> XdrResult<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(XdrError::Short)?;
        let s = self.buf.get(self.pos..end).ok_or(XdrError::Short)?;
        self.pos = end;
        Ok(s)
    }

    /// Skips `n` raw bytes (no padding).
    pub fn skip(&mut self, n: usize) -> XdrResult<()> {
        self.take(n).map(|_| ())
    }

    fn word(&mut self) -> XdrResult<[u8; 4]> {
        <[u8; 4]>::try_from(self.take(4)?).map_err(|_| XdrError::Short)
    }

    fn dword(&mut self) -> XdrResult<[u8; 8]> {
        <[u8; 8]>::try_from(self.take(8)?).map_err(|_| XdrError::Short)
    }

    /// Decodes an unsigned int.
    pub fn u32(&mut self) -> XdrResult<u32> {
        self.word().map(u32::from_be_bytes)
    }

    /// Decodes a signed int.
    pub fn i32(&mut self) -> XdrResult<i32> {
        self.word().map(i32::from_be_bytes)
    }

    /// Decodes an unsigned hyper.
    pub fn u64(&mut self) -> XdrResult<u64> {
        self.dword().map(u64::from_be_bytes)
    }

    /// Decodes a signed hyper.
    pub fn i64(&mut self) -> XdrResult<i64> {
        self.dword().map(i64::from_be_bytes)
    }

    /// Decodes a bool; anything but 0 or 1 is [`XdrError::BadValue`].
    pub fn bool(&mut self) -> XdrResult<bool> {
        let save = self.pos;
        match self.u32()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => {
                self.pos = save;
                Err(XdrError::BadValue)
            }
        }
    }

    /// Decodes fixed-length opaque data of `n` bytes and skips its padding.
    pub fn opaque_fixed(&mut self, n: usize) -> XdrResult<&'a [u8]> {
        let total = padded_len(n).ok_or(XdrError::Short)?;
        let s = self.take(total)?;
        s.get(..n).ok_or(XdrError::Short)
    }

    /// Decodes fixed-length opaque data into an array.
    pub fn array<const N: usize>(&mut self) -> XdrResult<[u8; N]> {
        <[u8; N]>::try_from(self.opaque_fixed(N)?).map_err(|_| XdrError::Short)
    }

    /// Decodes only the length word of variable-length opaque data, checking
    /// it against `max`. The data itself is left in place.
    pub fn opaque_len(&mut self, max: usize) -> XdrResult<usize> {
        let save = self.pos;
        let len = wire_len(self.u32()?)?;
        if len > max {
            self.pos = save;
            return Err(XdrError::TooLong);
        }
        Ok(len)
    }

    /// Decodes variable-length opaque data of at most `max` bytes.
    pub fn opaque(&mut self, max: usize) -> XdrResult<&'a [u8]> {
        let save = self.pos;
        let len = self.opaque_len(max)?;
        self.opaque_fixed(len).inspect_err(|_| self.pos = save)
    }

    /// Decodes a string of at most `max` bytes, as raw bytes (XDR strings
    /// are not necessarily UTF-8; NFS file names certainly are not).
    pub fn string(&mut self, max: usize) -> XdrResult<&'a [u8]> {
        self.opaque(max)
    }

    /// Decodes a `T`.
    pub fn decode<T: Decode<'a>>(&mut self) -> XdrResult<T> {
        T::decode(self)
    }
}

/// A bounds-checked XDR writer into a caller's buffer.
///
/// Primitive items are written whole or not at all. A compound item that
/// fails part-way may leave bytes behind; use [`Encoder::truncate`] to roll
/// back to a saved [`Encoder::position`].
#[derive(Debug)]
pub struct Encoder<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Encoder<'b> {
    /// An encoder writing from the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Number of bytes written so far (the offset of the next byte).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Size of the underlying buffer.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Bytes still free in the buffer.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }

    /// Forgets everything written after `pos` (no effect if `pos` is beyond
    /// the current position).
    pub fn truncate(&mut self, pos: usize) {
        if pos < self.pos {
            self.pos = pos;
        }
    }

    /// Writes raw bytes (no length, no padding).
    pub fn put(&mut self, bytes: &[u8]) -> XdrResult<()> {
        let end = self.pos.checked_add(bytes.len()).ok_or(XdrError::NoSpace)?;
        let dst = self.buf.get_mut(self.pos..end).ok_or(XdrError::NoSpace)?;
        copy_into(dst, bytes);
        self.pos = end;
        Ok(())
    }

    /// Writes the zero padding for an item of `len` bytes.
    pub fn pad(&mut self, len: usize) -> XdrResult<()> {
        self.put(padding_for(len))
    }

    /// Reserves `n` zeroed bytes and returns their offset, for a value that
    /// is only known later (see [`Encoder::patch_u32`]).
    pub fn reserve(&mut self, n: usize) -> XdrResult<usize> {
        let at = self.pos;
        let end = at.checked_add(n).ok_or(XdrError::NoSpace)?;
        let dst = self.buf.get_mut(at..end).ok_or(XdrError::NoSpace)?;
        for b in dst.iter_mut() {
            *b = 0;
        }
        self.pos = end;
        Ok(at)
    }

    /// Overwrites the unsigned int at offset `at`, which must lie within the
    /// bytes already written.
    pub fn patch_u32(&mut self, at: usize, v: u32) -> XdrResult<()> {
        let end = at.checked_add(4).ok_or(XdrError::NoSpace)?;
        if end > self.pos {
            return Err(XdrError::NoSpace);
        }
        let dst = self.buf.get_mut(at..end).ok_or(XdrError::NoSpace)?;
        copy_into(dst, &v.to_be_bytes());
        Ok(())
    }

    /// Encodes an unsigned int.
    pub fn u32(&mut self, v: u32) -> XdrResult<()> {
        self.put(&v.to_be_bytes())
    }

    /// Encodes a signed int.
    pub fn i32(&mut self, v: i32) -> XdrResult<()> {
        self.put(&v.to_be_bytes())
    }

    /// Encodes an unsigned hyper.
    pub fn u64(&mut self, v: u64) -> XdrResult<()> {
        self.put(&v.to_be_bytes())
    }

    /// Encodes a signed hyper.
    pub fn i64(&mut self, v: i64) -> XdrResult<()> {
        self.put(&v.to_be_bytes())
    }

    /// Encodes a bool.
    pub fn bool(&mut self, v: bool) -> XdrResult<()> {
        self.u32(u32::from(v))
    }

    /// Encodes fixed-length opaque data followed by its padding.
    pub fn opaque_fixed(&mut self, data: &[u8]) -> XdrResult<()> {
        let total = padded_len(data.len()).ok_or(XdrError::NoSpace)?;
        if total > self.remaining() {
            return Err(XdrError::NoSpace);
        }
        self.put(data)?;
        self.pad(data.len())
    }

    /// Encodes only the length word of variable-length opaque data of `len`
    /// bytes (at most `max`); the caller supplies the data and the padding.
    pub fn opaque_len(&mut self, len: usize, max: usize) -> XdrResult<()> {
        if len > max {
            return Err(XdrError::TooLong);
        }
        self.u32(u32::try_from(len).map_err(|_| XdrError::TooLong)?)
    }

    /// Encodes variable-length opaque data of at most `max` bytes.
    pub fn opaque(&mut self, data: &[u8], max: usize) -> XdrResult<()> {
        if data.len() > max {
            return Err(XdrError::TooLong);
        }
        let total = opaque_wire_len(data.len()).ok_or(XdrError::NoSpace)?;
        if total > self.remaining() {
            return Err(XdrError::NoSpace);
        }
        self.opaque_len(data.len(), max)?;
        self.opaque_fixed(data)
    }

    /// Encodes a string of at most `max` bytes.
    pub fn string(&mut self, data: &[u8], max: usize) -> XdrResult<()> {
        self.opaque(data, max)
    }

    /// Encodes a `T`.
    pub fn encode<T: Encode + ?Sized>(&mut self, v: &T) -> XdrResult<()> {
        v.encode(self)
    }
}

/// A type that can be read from XDR, borrowing from the input.
pub trait Decode<'a>: Sized {
    /// Decodes one value, advancing the decoder past it.
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self>;
}

/// A type that can be written as XDR.
pub trait Encode {
    /// Encodes the value, advancing the encoder past it.
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()>;
}

/// Decodes a `T` from the start of `buf`; returns it and the number of bytes
/// it occupied (trailing bytes are left alone).
pub fn decode_from<'a, T: Decode<'a>>(buf: &'a [u8]) -> XdrResult<(T, usize)> {
    let mut dec = Decoder::new(buf);
    let v = T::decode(&mut dec)?;
    Ok((v, dec.position()))
}

/// Encodes `v` at the start of `buf` and returns the encoded length.
pub fn encode_to<T: Encode + ?Sized>(v: &T, buf: &mut [u8]) -> XdrResult<usize> {
    let mut enc = Encoder::new(buf);
    v.encode(&mut enc)?;
    Ok(enc.position())
}

impl Decode<'_> for () {
    fn decode(_dec: &mut Decoder<'_>) -> XdrResult<Self> {
        Ok(())
    }
}

impl Encode for () {
    fn encode(&self, _enc: &mut Encoder<'_>) -> XdrResult<()> {
        Ok(())
    }
}

impl Decode<'_> for u32 {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        dec.u32()
    }
}

impl Encode for u32 {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u32(*self)
    }
}

impl Decode<'_> for u64 {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        dec.u64()
    }
}

impl Encode for u64 {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.u64(*self)
    }
}

impl Decode<'_> for bool {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        dec.bool()
    }
}

impl Encode for bool {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.bool(*self)
    }
}

/// Fixed-length opaque data (`opaque[N]`).
impl<const N: usize> Decode<'_> for [u8; N] {
    fn decode(dec: &mut Decoder<'_>) -> XdrResult<Self> {
        dec.array()
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        enc.opaque_fixed(self)
    }
}

/// XDR optional-data (`T *`), which is also the `switch (bool)` union used
/// by NFSv3's `post_op_attr`, `pre_op_attr` and `post_op_fh3`.
impl<'a, T: Decode<'a>> Decode<'a> for Option<T> {
    fn decode(dec: &mut Decoder<'a>) -> XdrResult<Self> {
        if dec.bool()? {
            T::decode(dec).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, enc: &mut Encoder<'_>) -> XdrResult<()> {
        match self {
            Some(v) => {
                enc.bool(true)?;
                v.encode(enc)
            }
            None => enc.bool(false),
        }
    }
}

/// A counted array of unsigned ints (`unsigned int<max>`), borrowed either
/// from the wire (after decoding) or from a caller's slice (for encoding).
#[derive(Clone, Copy, Debug)]
pub struct U32List<'a> {
    repr: U32Repr<'a>,
}

#[derive(Clone, Copy, Debug)]
enum U32Repr<'a> {
    /// Big-endian words; the length is a multiple of four.
    Wire(&'a [u8]),
    Slice(&'a [u32]),
}

impl<'a> U32List<'a> {
    /// The empty list.
    pub const EMPTY: U32List<'static> = U32List {
        repr: U32Repr::Slice(&[]),
    };

    /// A list over the caller's values.
    pub const fn from_slice(values: &'a [u32]) -> Self {
        Self {
            repr: U32Repr::Slice(values),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self.repr {
            U32Repr::Wire(b) => b.len() / 4,
            U32Repr::Slice(s) => s.len(),
        }
    }

    /// True when the list has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i`, if any.
    pub fn get(&self, i: usize) -> Option<u32> {
        self.iter().nth(i)
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> U32Iter<'a> {
        match self.repr {
            U32Repr::Wire(b) => U32Iter::Wire(b),
            U32Repr::Slice(s) => U32Iter::Slice(s.iter()),
        }
    }

    /// Decodes a counted array of at most `max` elements.
    pub fn decode_max(dec: &mut Decoder<'a>, max: usize) -> XdrResult<Self> {
        let save = dec.position();
        let n = wire_len(dec.u32()?)?;
        if n > max {
            return Err(XdrError::TooLong);
        }
        let bytes = n.checked_mul(4).ok_or(XdrError::TooLong)?;
        match dec.take(bytes) {
            Ok(b) => Ok(Self {
                repr: U32Repr::Wire(b),
            }),
            Err(e) => {
                dec.pos = save;
                Err(e)
            }
        }
    }

    /// Encodes the list as a counted array of at most `max` elements.
    pub fn encode_max(&self, enc: &mut Encoder<'_>, max: usize) -> XdrResult<()> {
        let n = self.len();
        if n > max {
            return Err(XdrError::TooLong);
        }
        let total = n
            .checked_mul(4)
            .and_then(|b| b.checked_add(4))
            .ok_or(XdrError::NoSpace)?;
        if total > enc.remaining() {
            return Err(XdrError::NoSpace);
        }
        enc.u32(u32::try_from(n).map_err(|_| XdrError::TooLong)?)?;
        for v in self.iter() {
            enc.u32(v)?;
        }
        Ok(())
    }
}

impl PartialEq for U32List<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for U32List<'_> {}

impl<'a> IntoIterator for U32List<'a> {
    type Item = u32;
    type IntoIter = U32Iter<'a>;

    fn into_iter(self) -> U32Iter<'a> {
        self.iter()
    }
}

/// Iterator over a [`U32List`].
#[derive(Clone, Debug)]
pub enum U32Iter<'a> {
    /// Over wire bytes (big-endian words).
    Wire(&'a [u8]),
    /// Over a caller's slice.
    Slice(core::slice::Iter<'a, u32>),
}

impl Iterator for U32Iter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            U32Iter::Wire(b) => {
                let (w, rest) = b.split_first_chunk::<4>()?;
                *b = rest;
                Some(u32::from_be_bytes(*w))
            }
            U32Iter::Slice(s) => s.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            U32Iter::Wire(b) => {
                let n = b.len() / 4;
                (n, Some(n))
            }
            U32Iter::Slice(s) => s.size_hint(),
        }
    }
}
