package model

import (
	"net/url"
	"strings"
)

// CourseID mints the canonical identifier of a course per the QualityLink
// course-identifier specification: urn:schac:uniqueCourseId:<schac>:<localID>.
// The SCHAC code is the institution's domain and outlives its ETER or DEQAR
// ids, so identifiers stay stable when those change. When the SCHAC code is
// unknown, the provider key stands in under qlink's own URN namespace.
// Characters that would break the URN are percent-encoded.
func CourseID(schac, providerID, localID string) string {
	local := escapeURN(localID)
	if schac != "" {
		return "urn:schac:uniqueCourseId:" + strings.ToLower(schac) + ":" + local
	}
	return "urn:qlink:course:" + escapeURN(providerID) + ":" + local
}

// InstanceID mints the identifier of an offering under its specification.
func InstanceID(specID, localID string) string {
	return specID + ":offering:" + escapeURN(localID)
}

func escapeURN(s string) string {
	// PathEscape leaves ':' '@' '&' '=' '+' '$' and ',' alone; a ':' in a
	// local id would shift the URN's fields, so escape it as well.
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}
