package auth

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/htmsig/component"
	"github.com/lestrrat-go/htmsig/input"
)

// Test keys and messages of RFC 9421 Appendix B (B.1.2, B.1.4, B.2).
const (
	rfcRSAPSSPublic = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----`
	rfcEd25519Public = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`
	rfcEd25519Private = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`
	rfcRequest = "POST /foo?param=Value&Pet=dog HTTP/1.1\r\n" +
		"Host: example.com\r\n" +
		"Date: Tue, 20 Apr 2021 02:07:55 GMT\r\n" +
		"Content-Type: application/json\r\n" +
		"Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\r\n" +
		"Content-Length: 18\r\n\r\n" +
		`{"hello": "world"}`
)

var rfcVectors = []struct {
	section, label, input, signature string
	key                              string
}{
	{"B.2.1", "sig-b21", `sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
		`sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:`,
		rfcRSAPSSPublic},
	{"B.2.2", "sig-b22", `sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
		`sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:`,
		rfcRSAPSSPublic},
	{"B.2.3", "sig-b23", `sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
		`sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:`,
		rfcRSAPSSPublic},
	{"B.2.6", "sig-b26", `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
		`sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`,
		rfcEd25519Public},
}

func rfcMessage(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(rfcRequest)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func parsePEM(t *testing.T, s string) any {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	var k any
	var err error
	if block.Type == "PRIVATE KEY" {
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	} else {
		k, err = x509.ParsePKIXPublicKey(block.Bytes)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestVerifierOnRFCVectors proves the test verifier right: it accepts the
// RFC's own signatures and refuses them once a covered value changes.
func TestVerifierOnRFCVectors(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(v.section, func(t *testing.T) {
			pub := parsePEM(t, v.key)
			keyFor := func(string, string) (crypto.PublicKey, error) { return pub, nil }
			r := rfcMessage(t)
			r.Header.Set("Signature-Input", v.input)
			r.Header.Set("Signature", v.signature)
			if _, err := verifySignature(r, v.label, keyFor); err != nil {
				t.Fatalf("RFC signature refused: %v", err)
			}
			r.Header.Set("Signature-Input", strings.Replace(v.input, "1618884473", "1618884474", 1))
			if _, err := verifySignature(r, v.label, keyFor); err == nil {
				t.Error("a changed created parameter still verifies")
			}
		})
	}
}

// TestSignerReproducesB26 signs the B.2.6 definition with the signing
// path Authorize uses: Ed25519 is deterministic, so the signature must
// equal the RFC's byte for byte.
func TestSignerReproducesB26(t *testing.T) {
	priv := parsePEM(t, rfcEd25519Private).(ed25519.PrivateKey)
	r := rfcMessage(t)
	r.URL.Scheme, r.URL.Host = "https", "example.com"
	def := input.NewDefinitionBuilder().Label("sig-b26").
		Components(component.New("date"), component.Method(), component.New("@path"), component.Authority(),
			component.New("content-type"), component.New("content-length")).
		Created(1618884473).KeyID("test-key-ed25519").MustBuild()
	if err := sign(context.Background(), r, def, priv); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header.Get("Signature-Input"), rfcVectors[3].input; got != want {
		t.Errorf("Signature-Input\n got %s\nwant %s", got, want)
	}
	if got, want := r.Header.Get("Signature"), rfcVectors[3].signature; got != want {
		t.Errorf("Signature\n got %s\nwant %s", got, want)
	}
}
