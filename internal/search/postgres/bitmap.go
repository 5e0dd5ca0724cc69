package postgres

import (
	"math/bits"

	"github.com/jackc/pgx/v5/pgtype"
)

// bitmap is a set of document ordinals as PostgreSQL's bit varying holds
// it: bit n is the n-th from the left, the high bit of byte n/8.
type bitmap []byte

func newBitmap(nbits int) bitmap { return make(bitmap, (nbits+7)/8) }

func (b bitmap) set(n int)   { b[n>>3] |= 0x80 >> (n & 7) }
func (b bitmap) clear(n int) { b[n>>3] &^= 0x80 >> (n & 7) }

func (b bitmap) count() int {
	n := 0
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return n
}

// and returns b ∩ o in a new bitmap.
func (b bitmap) and(o bitmap) bitmap {
	out := make(bitmap, len(b))
	for i := range out {
		out[i] = b[i] & o[i]
	}
	return out
}

// andNot returns b ∖ o in a new bitmap.
func (b bitmap) andNot(o bitmap) bitmap {
	out := make(bitmap, len(b))
	for i := range out {
		out[i] = b[i] &^ o[i]
	}
	return out
}

// or adds o to b.
func (b bitmap) or(o bitmap) {
	for i := range b {
		b[i] |= o[i]
	}
}

// ordinals lists the members of b in order.
func (b bitmap) ordinals() []int32 {
	out := make([]int32, 0, b.count())
	for i, x := range b {
		for x != 0 {
			lead := bits.LeadingZeros8(x)
			out = append(out, int32(i*8+lead))
			x &^= 0x80 >> lead
		}
	}
	return out
}

// varbit is b as a query parameter of nbits bits.
func (b bitmap) varbit(nbits int) pgtype.Bits {
	return pgtype.Bits{Bytes: b, Len: int32(nbits), Valid: true}
}
