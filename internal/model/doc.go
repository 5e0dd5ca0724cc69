// Package model is qlink's canonical learning-opportunity model, the
// common ground every stage meets on.
//
// Source adapters turn ELM, OOAPI, Edu-API and OCCAPI payloads into these
// types; the store persists them, the search index reads them and the web
// layer renders them. The model follows the European Learning Model (ELM 3.3)
// as profiled by QualityLink: a Specification is a
// ql:LearningOpportunitySpecification, an Instance a
// ql:LearningOpportunityInstance, a Provider a ql:HigherEducationInstitution.
// Controlled values (types, modes, credit systems) are held as the EU
// vocabulary concept IRIs so that ELM output needs no second mapping.
//
// Text in several languages is a Text map keyed by normalised BCP 47 tags;
// no value is ever re-tagged with a language it was not published in.
package model
