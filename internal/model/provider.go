package model

// Provider is an institution that publishes learning opportunities
// (ql:HigherEducationInstitution).
type Provider struct {
	// ID is qlink's stable key for the provider: the DEQAR id when the
	// registry came from DEQAR, otherwise an operator-chosen key. Course
	// identifiers never depend on it (see CourseID).
	ID    string `json:"id"`
	SCHAC string `json:"schac,omitempty"`
	// ETER is the ETER/OrgReg id ("DE0069").
	ETER  string `json:"eter,omitempty"`
	DEQAR string `json:"deqar,omitempty"`
	Name  Text   `json:"name"`
	// Acronym is the short name, when the registry has one.
	Acronym string `json:"acronym,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code ("DE").
	Country   string   `json:"country,omitempty"`
	City      string   `json:"city,omitempty"`
	Website   string   `json:"website,omitempty"`
	Alliances []string `json:"alliances,omitempty"`
}

// Alliance is a group of institutions, such as a European Universities
// alliance (ql:EuropeanUniversityAlliance).
type Alliance struct {
	ID      string   `json:"id"`
	Name    Text     `json:"name"`
	Website string   `json:"website,omitempty"`
	Members []string `json:"members,omitempty"`
}
