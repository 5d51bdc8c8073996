package analyzer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

type codecSample struct {
	B      bool
	I      int
	I8     int8
	U      uint16
	F      float64
	S      string
	Raw    []byte
	Nil    []int
	Empty  []int
	M      map[string][]string
	NilMap map[int]bool
	P      *codecSample
	Arr    [2]string
	Sum    [32]byte
	Tagged string `json:"-"` // the models printer's tags are not the codec's business
	Im     *pyast.Imports
	hidden int
}

func TestReuseCodecRoundTrip(t *testing.T) {
	tr, err := pyast.Parse([]byte("import requests as r\nfrom a.b import c\n"))
	require.NoError(t, err)
	in := codecSample{B: true, I: -42, I8: -8, U: 65535, F: 2.5, S: "café", Raw: []byte{0, 1}, Empty: []int{},
		M: map[string][]string{"z": {"1"}, "a": nil, "m": {}}, P: &codecSample{S: "inner", Empty: []int{}}, Arr: [2]string{"x", ""},
		Sum:    [32]byte{0: 1, 7: 0x80, 31: 0xff},
		Tagged: "kept", Im: pyast.CollectImports(tr.Root())}
	data, err := encodeValue(&in)
	require.NoError(t, err)
	var out codecSample
	require.NoError(t, decodeValue(data, &out))
	assert.Equal(t, in, out)
	assert.Nil(t, out.Nil)
	assert.NotNil(t, out.Empty, "nil and empty stay apart")
	q, ok := out.Im.ResolveDotted("r.get")
	assert.True(t, ok)
	assert.Equal(t, "requests.get", q)

	// Equal values, equal bytes: map order does not leak.
	for i := 0; i < 20; i++ {
		again, err := encodeValue(&in)
		require.NoError(t, err)
		assert.Equal(t, data, again)
	}
	// Nothing unexported travels.
	in.hidden = 7
	withHidden, err := encodeValue(&in)
	require.NoError(t, err)
	assert.Equal(t, data, withHidden)
}

func TestReuseCodecRefusesWhatItCannotCarry(t *testing.T) {
	_, err := encodeValue(&struct{ X any }{X: 1})
	assert.Error(t, err)
	_, err = encodeValue(&struct{ F func() }{F: func() {}})
	assert.Error(t, err)
	type loop struct{ Next *loop }
	l := &loop{}
	l.Next = l
	_, err = encodeValue(l)
	assert.Error(t, err, "a cycle is refused, not followed forever")
	assert.Error(t, decodeValue([]byte{1}, &struct{ X any }{}))
}

// A byte array (a hash) travels as its bytes, one each: not a varint per
// element, which took two bytes for half of them and a decoder call each.
func TestReuseCodecCopiesByteArrays(t *testing.T) {
	type rec struct {
		Sums []([32]byte)
		Name string
	}
	in := rec{Sums: [][32]byte{{0: 0x80, 31: 0xff}, {}}, Name: "n"}
	data, err := encodeValue(&in)
	require.NoError(t, err)
	// the count (n+1), 64 bytes of the two sums, then the name's length and byte.
	assert.Len(t, data, 1+64+1+1)
	var out rec
	require.NoError(t, decodeValue(data, &out))
	assert.Equal(t, in, out)
	assert.Error(t, decodeValue(data[:40], &out), "a sum cut short")
}

func FuzzReuseCodec(f *testing.F) {
	in := codecSample{S: "x", M: map[string][]string{"k": {"v"}}, P: &codecSample{I: 3}, Sum: [32]byte{5: 200}}
	data, _ := encodeValue(&in)
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		var out codecSample
		if decodeValue(data, &out) == nil {
			again, err := encodeValue(&out)
			require.NoError(t, err)
			var back codecSample
			require.NoError(t, decodeValue(again, &back))
			assert.Equal(t, out, back)
		}
	})
}
