package testfed

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Phrase templates per language. Placeholders, filled from a subject's form:
//
//	{N} name  {Nc} name, first letter capitalised
//	{X} second form  {Xc} second form, capitalised
//	{aX} "to" + article form, {dX} "of" + article form (fr, es, it, pt contract: au, del, alla, à …)

// pattern is a course title pattern.
type pattern int

const (
	patPlain pattern = iota
	patIntro
	patPrinciples
	patAdvanced
	patEngineers
	patSeminar
	patPartI
	patPartII
	patTopics
	patProject
	numPatterns
)

var titlePatterns = [numLangs][numPatterns]string{
	langEN: {"{N}", "Introduction to {N}", "Principles of {N}", "Advanced {N}", "{N} for Engineers", "Seminar: {N}", "{N} I", "{N} II", "Selected Topics in {N}", "{N} Project"},
	langDE: {"{N}", "Einführung in {X}", "Grundkurs {N}", "Vertiefung {N}", "{N} für Ingenieurwissenschaften", "Seminar: {N}", "{N} I", "{N} II", "Spezialvorlesung {N}", "Projektarbeit {N}"},
	langNL: {"{Nc}", "Inleiding {N}", "Basiscursus {N}", "Verdieping {N}", "{Nc} voor ingenieurs", "Seminar {N}", "{Nc} 1", "{Nc} 2", "Actuele thema's in {N}", "Project {N}"},
	langFR: {"{Nc}", "Introduction {aX}", "Fondements {dX}", "Approfondissement en {N}", "{Nc} pour l'ingénieur", "Séminaire : {N}", "{Nc} 1", "{Nc} 2", "Thèmes choisis en {N}", "Projet en {N}"},
	langES: {"{Nc}", "Introducción {aX}", "Fundamentos de {N}", "Temas avanzados de {N}", "{Nc} para ingenieros", "Seminario de {N}", "{Nc} I", "{Nc} II", "Cuestiones actuales de {N}", "Proyecto de {N}"},
	langIT: {"{Nc}", "Introduzione {aX}", "Fondamenti di {N}", "Temi avanzati di {N}", "{Nc} per l'ingegneria", "Seminario di {N}", "{Nc} I", "{Nc} II", "Argomenti scelti di {N}", "Laboratorio di {N}"},
	langPT: {"{Nc}", "Introdução {aX}", "Fundamentos de {N}", "Tópicos avançados de {N}", "{Nc} para engenharia", "Seminário de {N}", "{Nc} I", "{Nc} II", "Temas selecionados de {N}", "Projeto de {N}"},
	langPL: {"{Nc}", "Wprowadzenie do {X}", "Podstawy {X}", "Zaawansowane zagadnienia {X}", "{Nc} dla inżynierów", "Seminarium: {N}", "{Nc} I", "{Nc} II", "Wybrane zagadnienia {X}", "Projekt zespołowy: {N}"},
	langCS: {"{Nc}", "Úvod do {X}", "Základy {X}", "{Nc} pro pokročilé", "{Nc} pro inženýry", "{Nc} – seminář", "{Nc} I", "{Nc} II", "Vybraná témata {X}", "Týmový projekt: {N}"},
	langSV: {"{Nc}", "Introduktion till {N}", "Grundkurs i {N}", "Fördjupningskurs i {N}", "{Nc} för ingenjörer", "Seminariekurs i {N}", "{Nc} I", "{Nc} II", "Aktuella frågor inom {N}", "Projektkurs i {N}"},
	langFI: {"{Nc}", "{Xc} johdantokurssi", "{Xc} perusteet", "{Xc} jatkokurssi", "{Nc} insinööreille", "{Xc} seminaari", "{Nc} I", "{Nc} II", "{Xc} erityiskysymyksiä", "{Xc} projektityö"},
}

// descIntros open a course description.
var descIntros = [numLangs][3]string{
	langEN: {
		"This course introduces students to the key concepts, methods and debates in {X}.",
		"The course offers a structured overview of {X}, from its theoretical foundations to practical applications.",
		"Students explore current questions in {X} through lectures, readings and hands-on exercises.",
	},
	langDE: {
		"Das Modul vermittelt zentrale Begriffe, Methoden und Fragestellungen im Bereich {N}.",
		"Die Lehrveranstaltung bietet einen strukturierten Überblick über das Gebiet {N}, von den theoretischen Grundlagen bis zu praktischen Anwendungen.",
		"Die Studierenden erarbeiten aktuelle Fragestellungen aus dem Bereich {N} in Vorlesung, Lektüre und praktischen Übungen.",
	},
	langNL: {
		"Dit vak behandelt de kernbegrippen, methoden en discussies op het gebied van {N}.",
		"Het vak biedt een gestructureerd overzicht van {N}, van de theoretische grondslagen tot praktische toepassingen.",
		"Studenten verkennen actuele vraagstukken op het gebied van {N} via hoorcolleges, literatuur en praktische opdrachten.",
	},
	langFR: {
		"Ce cours présente les notions, méthodes et débats essentiels en {N}.",
		"Le cours propose une vue d'ensemble structurée {dX}, des fondements théoriques aux applications pratiques.",
		"Les étudiants abordent des questions actuelles en {N} à travers des cours magistraux, des lectures et des travaux pratiques.",
	},
	langES: {
		"Esta asignatura presenta los conceptos, métodos y debates fundamentales {dX}.",
		"La asignatura ofrece una visión estructurada {dX}, desde sus fundamentos teóricos hasta sus aplicaciones prácticas.",
		"El alumnado analiza cuestiones actuales {dX} mediante clases magistrales, lecturas y prácticas.",
	},
	langIT: {
		"L'insegnamento presenta i concetti, i metodi e i dibattiti fondamentali {dX}.",
		"Il corso offre una panoramica strutturata {dX}, dai fondamenti teorici alle applicazioni pratiche.",
		"Gli studenti approfondiscono questioni attuali {dX} attraverso lezioni frontali, letture ed esercitazioni.",
	},
	langPT: {
		"Esta unidade curricular apresenta os conceitos, métodos e debates fundamentais {dX}.",
		"A unidade curricular oferece uma visão estruturada {dX}, dos fundamentos teóricos às aplicações práticas.",
		"Os estudantes analisam questões atuais {dX} através de aulas teóricas, leituras e aulas práticas.",
	},
	langPL: {
		"Przedmiot przedstawia podstawowe pojęcia, metody i zagadnienia z zakresu {X}.",
		"Zajęcia dają uporządkowany przegląd {X} – od podstaw teoretycznych po zastosowania praktyczne.",
		"Studenci analizują aktualne problemy z zakresu {X} podczas wykładów, lektur i ćwiczeń.",
	},
	langCS: {
		"Předmět seznamuje studenty se základními pojmy, metodami a diskusemi v oblasti {X}.",
		"Předmět nabízí strukturovaný přehled oblasti {X} od teoretických základů po praktické aplikace.",
		"Studenti se v přednáškách, četbě a cvičeních zabývají aktuálními otázkami z oblasti {X}.",
	},
	langSV: {
		"Kursen behandlar centrala begrepp, metoder och frågeställningar inom {N}.",
		"Kursen ger en strukturerad översikt över {N}, från teoretiska grunder till praktiska tillämpningar.",
		"Studenterna fördjupar sig i aktuella frågor inom {N} genom föreläsningar, litteraturstudier och övningar.",
	},
	langFI: {
		"Opintojaksolla perehdytään {X} keskeisiin käsitteisiin, menetelmiin ja keskusteluihin.",
		"Opintojakso tarjoaa jäsennellyn yleiskuvan {X} teoreettisista perusteista käytännön sovelluksiin.",
		"Opiskelijat tarkastelevat {X} ajankohtaisia kysymyksiä luentojen, kirjallisuuden ja harjoitusten avulla.",
	},
}

// levelIndex orders the levels of descLevels.
var levelIndex = map[string]int{levelBachelor: 0, levelMaster: 1, levelDoctoral: 2, levelAssociate: 3}

// descLevels say whom a course is for: bachelor, master, doctoral, associate degree.
var descLevels = [numLangs][4]string{
	langEN: {
		"It is intended for bachelor's students and assumes no prior knowledge beyond the first-year curriculum.",
		"It is aimed at master's students who already have a solid background in the field.",
		"It is designed for doctoral researchers and focuses on research-level methods.",
		"It is part of the associate degree curriculum and has a strong practical orientation.",
	},
	langDE: {
		"Zielgruppe sind Studierende im Bachelorstudium; Vorkenntnisse über das erste Studienjahr hinaus werden nicht vorausgesetzt.",
		"Zielgruppe sind Masterstudierende mit soliden Grundkenntnissen im Fach.",
		"Zielgruppe sind Promovierende; im Mittelpunkt stehen forschungsnahe Methoden.",
		"Die Veranstaltung ist Teil eines praxisorientierten Kurzstudiengangs.",
	},
	langNL: {
		"Het vak is bedoeld voor bachelorstudenten en vereist geen voorkennis buiten het eerste jaar.",
		"Het vak is bedoeld voor masterstudenten met een stevige basis in het vakgebied.",
		"Het vak is bedoeld voor promovendi en richt zich op methoden op onderzoeksniveau.",
		"Het vak maakt deel uit van de Associate degree-opleiding en heeft een sterk praktijkgerichte insteek.",
	},
	langFR: {
		"Cet enseignement s'adresse aux étudiants de licence et ne suppose aucun prérequis au-delà de la première année.",
		"Cet enseignement s'adresse aux étudiants de master disposant de solides bases dans la discipline.",
		"Cet enseignement s'adresse aux doctorants et porte sur des méthodes de recherche avancées.",
		"Cet enseignement s'inscrit dans une formation courte à visée professionnelle.",
	},
	langES: {
		"Se dirige a estudiantes de grado y no requiere conocimientos previos más allá del primer curso.",
		"Se dirige a estudiantes de máster con una sólida formación en la materia.",
		"Se dirige a doctorandos y se centra en métodos de investigación avanzados.",
		"Forma parte de un ciclo formativo de orientación práctica.",
	},
	langIT: {
		"È rivolto agli studenti della laurea triennale e non richiede conoscenze pregresse oltre il primo anno.",
		"È rivolto agli studenti della laurea magistrale con una solida preparazione nella disciplina.",
		"È rivolto ai dottorandi ed è incentrato su metodi di ricerca avanzati.",
		"Fa parte di un percorso breve a carattere professionalizzante.",
	},
	langPT: {
		"Destina-se a estudantes de licenciatura e não exige conhecimentos prévios além do primeiro ano.",
		"Destina-se a estudantes de mestrado com uma sólida formação na área.",
		"Destina-se a doutorandos e centra-se em métodos de investigação avançados.",
		"Integra um curso técnico superior profissional de orientação prática.",
	},
	langPL: {
		"Przedmiot jest przeznaczony dla studentów studiów pierwszego stopnia i nie wymaga wiedzy wykraczającej poza pierwszy rok studiów.",
		"Przedmiot jest przeznaczony dla studentów studiów drugiego stopnia z solidnym przygotowaniem w danej dziedzinie.",
		"Przedmiot jest przeznaczony dla doktorantów i koncentruje się na metodach badawczych.",
		"Przedmiot jest częścią krótkiego programu o profilu praktycznym.",
	},
	langCS: {
		"Je určen studentům bakalářského studia a nepředpokládá znalosti nad rámec prvního ročníku.",
		"Je určen studentům magisterského studia se solidním základem v oboru.",
		"Je určen doktorandům a zaměřuje se na výzkumné metody.",
		"Je součástí krátkého prakticky zaměřeného programu.",
	},
	langSV: {
		"Kursen vänder sig till studenter på grundnivå och kräver inga förkunskaper utöver det första studieåret.",
		"Kursen vänder sig till studenter på avancerad nivå med goda förkunskaper inom ämnet.",
		"Kursen vänder sig till doktorander och fokuserar på forskningsmetoder.",
		"Kursen ingår i en kortare yrkesinriktad utbildning.",
	},
	langFI: {
		"Opintojakso on tarkoitettu kandidaattivaiheen opiskelijoille, eikä se edellytä ensimmäisen vuoden opintoja laajempia esitietoja.",
		"Opintojakso on tarkoitettu maisterivaiheen opiskelijoille, joilla on vankka alan perusosaaminen.",
		"Opintojakso on tarkoitettu jatko-opiskelijoille, ja se keskittyy tutkimusmenetelmiin.",
		"Opintojakso on osa lyhyttä käytännönläheistä koulutusta.",
	},
}

// descAssessments close a course description.
var descAssessments = [numLangs][3]string{
	langEN: {"Assessment is based on a written examination.", "Assessment consists of a group project and an individual oral examination.", "Students complete weekly assignments and a final report."},
	langDE: {"Die Prüfung erfolgt in Form einer Klausur.", "Die Prüfungsleistung besteht aus einem Gruppenprojekt und einer mündlichen Einzelprüfung.", "Die Studierenden bearbeiten wöchentliche Übungsaufgaben und verfassen einen Abschlussbericht."},
	langNL: {"De toetsing bestaat uit een schriftelijk tentamen.", "De toetsing bestaat uit een groepsproject en een individueel mondeling tentamen.", "Studenten maken wekelijkse opdrachten en schrijven een eindverslag."},
	langFR: {"L'évaluation repose sur un examen écrit.", "L'évaluation comprend un projet de groupe et un oral individuel.", "Les étudiants rendent des exercices hebdomadaires et un rapport final."},
	langES: {"La evaluación se basa en un examen escrito.", "La evaluación consiste en un proyecto en grupo y un examen oral individual.", "El alumnado entrega ejercicios semanales y una memoria final."},
	langIT: {"La verifica dell'apprendimento avviene tramite un esame scritto.", "L'esame consiste in un progetto di gruppo e in una prova orale individuale.", "Gli studenti svolgono esercitazioni settimanali e redigono una relazione finale."},
	langPT: {"A avaliação é feita através de um exame escrito.", "A avaliação consiste num projeto de grupo e numa prova oral individual.", "Os estudantes realizam trabalhos semanais e um relatório final."},
	langPL: {"Zaliczenie odbywa się na podstawie egzaminu pisemnego.", "Zaliczenie obejmuje projekt zespołowy oraz indywidualny egzamin ustny.", "Studenci wykonują cotygodniowe zadania i przygotowują raport końcowy."},
	langCS: {"Předmět je zakončen písemnou zkouškou.", "Hodnocení tvoří skupinový projekt a individuální ústní zkouška.", "Studenti odevzdávají týdenní úkoly a závěrečnou zprávu."},
	langSV: {"Examination sker genom en skriftlig tentamen.", "Examinationen består av ett grupprojekt och en individuell muntlig tentamen.", "Studenterna lämnar in veckovisa uppgifter och en slutrapport."},
	langFI: {"Arviointi perustuu kirjalliseen tenttiin.", "Arviointi perustuu ryhmäprojektiin ja yksilölliseen suulliseen kuulusteluun.", "Opiskelijat tekevät viikoittaisia tehtäviä ja loppuraportin."},
}

const numOutcomes = 7

// outcomes are learning outcome statements; a course picks 3–6 of them, in
// order, in each of its languages.
var outcomes = [numLangs][numOutcomes]string{
	langEN: {
		"Students can explain the core concepts and terminology of {X}.",
		"Students can apply standard methods of {X} to realistic problems.",
		"Students can critically evaluate recent research in {X}.",
		"Students can design and carry out a small project in {X} as part of a team.",
		"Students can communicate results clearly in writing and orally.",
		"Students can select appropriate tools and techniques for a given problem.",
		"Students can reflect on the ethical and societal implications of their work.",
	},
	langDE: {
		"Die Studierenden können die zentralen Begriffe im Bereich {N} erklären.",
		"Die Studierenden können Standardmethoden aus dem Bereich {N} auf praxisnahe Problemstellungen anwenden.",
		"Die Studierenden können aktuelle Forschungsarbeiten zum Thema {N} kritisch bewerten.",
		"Die Studierenden können im Team ein kleines Projekt im Bereich {N} planen und durchführen.",
		"Die Studierenden können Ergebnisse schriftlich und mündlich klar darstellen.",
		"Die Studierenden können geeignete Werkzeuge und Verfahren für eine gegebene Aufgabe auswählen.",
		"Die Studierenden können ethische und gesellschaftliche Folgen ihrer Arbeit reflektieren.",
	},
	langNL: {
		"De student kan de kernbegrippen en terminologie van {N} uitleggen.",
		"De student kan standaardmethoden uit {N} toepassen op realistische problemen.",
		"De student kan recent onderzoek op het gebied van {N} kritisch beoordelen.",
		"De student kan in teamverband een klein project op het gebied van {N} opzetten en uitvoeren.",
		"De student kan resultaten helder schriftelijk en mondeling presenteren.",
		"De student kan passende instrumenten en technieken voor een gegeven probleem kiezen.",
		"De student kan reflecteren op de ethische en maatschappelijke gevolgen van het eigen werk.",
	},
	langFR: {
		"L'étudiant est capable d'expliquer les notions et la terminologie essentielles en {N}.",
		"L'étudiant est capable d'appliquer les méthodes courantes en {N} à des problèmes concrets.",
		"L'étudiant est capable d'évaluer de manière critique des travaux de recherche récents en {N}.",
		"L'étudiant est capable de concevoir et de mener en équipe un projet en {N}.",
		"L'étudiant est capable de présenter clairement ses résultats à l'écrit et à l'oral.",
		"L'étudiant est capable de choisir les outils et techniques adaptés à un problème donné.",
		"L'étudiant est capable de porter un regard réflexif sur les enjeux éthiques et sociétaux de son travail.",
	},
	langES: {
		"El estudiante es capaz de explicar los conceptos y la terminología fundamentales {dX}.",
		"El estudiante es capaz de aplicar los métodos habituales {dX} a problemas reales.",
		"El estudiante es capaz de evaluar críticamente investigaciones recientes en el ámbito {dX}.",
		"El estudiante es capaz de diseñar y llevar a cabo en equipo un proyecto en el ámbito {dX}.",
		"El estudiante es capaz de comunicar resultados con claridad de forma oral y escrita.",
		"El estudiante es capaz de seleccionar las herramientas y técnicas adecuadas para un problema dado.",
		"El estudiante es capaz de reflexionar sobre las implicaciones éticas y sociales de su trabajo.",
	},
	langIT: {
		"Lo studente è in grado di spiegare i concetti e la terminologia fondamentali {dX}.",
		"Lo studente è in grado di applicare i metodi standard {dX} a problemi concreti.",
		"Lo studente è in grado di valutare criticamente ricerche recenti nell'ambito {dX}.",
		"Lo studente è in grado di progettare e realizzare in gruppo un progetto nell'ambito {dX}.",
		"Lo studente è in grado di comunicare i risultati in modo chiaro, sia per iscritto sia oralmente.",
		"Lo studente è in grado di scegliere strumenti e tecniche adeguati a un problema dato.",
		"Lo studente è in grado di riflettere sulle implicazioni etiche e sociali del proprio lavoro.",
	},
	langPT: {
		"O estudante é capaz de explicar os conceitos e a terminologia fundamentais {dX}.",
		"O estudante é capaz de aplicar os métodos habituais {dX} a problemas reais.",
		"O estudante é capaz de avaliar criticamente investigação recente no domínio {dX}.",
		"O estudante é capaz de conceber e realizar em equipa um projeto no domínio {dX}.",
		"O estudante é capaz de comunicar resultados com clareza, por escrito e oralmente.",
		"O estudante é capaz de selecionar as ferramentas e técnicas adequadas a um problema concreto.",
		"O estudante é capaz de refletir sobre as implicações éticas e sociais do seu trabalho.",
	},
	langPL: {
		"Student potrafi wyjaśnić podstawowe pojęcia i terminologię z zakresu {X}.",
		"Student potrafi zastosować standardowe metody z zakresu {X} do rozwiązywania praktycznych problemów.",
		"Student potrafi krytycznie ocenić najnowsze badania z zakresu {X}.",
		"Student potrafi zaplanować i zrealizować w zespole projekt z zakresu {X}.",
		"Student potrafi jasno przedstawić wyniki w formie pisemnej i ustnej.",
		"Student potrafi dobrać odpowiednie narzędzia i techniki do danego problemu.",
		"Student potrafi krytycznie ocenić etyczne i społeczne skutki swojej pracy.",
	},
	langCS: {
		"Student dokáže vysvětlit základní pojmy a terminologii v oblasti {X}.",
		"Student dokáže aplikovat standardní metody z oblasti {X} na praktické problémy.",
		"Student dokáže kriticky zhodnotit současný výzkum v oblasti {X}.",
		"Student dokáže v týmu navrhnout a realizovat projekt z oblasti {X}.",
		"Student dokáže srozumitelně prezentovat výsledky písemně i ústně.",
		"Student dokáže zvolit vhodné nástroje a postupy pro daný problém.",
		"Student dokáže reflektovat etické a společenské dopady své práce.",
	},
	langSV: {
		"Studenten kan redogöra för centrala begrepp och termer inom {N}.",
		"Studenten kan tillämpa vedertagna metoder inom {N} på realistiska problem.",
		"Studenten kan kritiskt granska aktuell forskning inom {N}.",
		"Studenten kan i grupp planera och genomföra ett mindre projekt inom {N}.",
		"Studenten kan presentera resultat tydligt i skrift och tal.",
		"Studenten kan välja lämpliga verktyg och tekniker för ett givet problem.",
		"Studenten kan reflektera över etiska och samhälleliga konsekvenser av sitt arbete.",
	},
	langFI: {
		"Opiskelija osaa selittää {X} keskeiset käsitteet ja termit.",
		"Opiskelija osaa soveltaa {X} vakiintuneita menetelmiä käytännön ongelmiin.",
		"Opiskelija osaa arvioida kriittisesti {X} ajankohtaista tutkimusta.",
		"Opiskelija osaa suunnitella ja toteuttaa ryhmässä pienen {X} projektin.",
		"Opiskelija osaa esittää tuloksensa selkeästi kirjallisesti ja suullisesti.",
		"Opiskelija osaa valita annettuun ongelmaan sopivat työkalut ja menetelmät.",
		"Opiskelija osaa pohtia työnsä eettisiä ja yhteiskunnallisia vaikutuksia.",
	},
}

// programNames and programDescs: [0] bachelor, [1] master.
var programNames = [numLangs][2]string{
	langEN: {"Bachelor's Programme in {N}", "Master's Programme in {N}"},
	langDE: {"Bachelorstudiengang {N}", "Masterstudiengang {N}"},
	langNL: {"Bachelor {Nc}", "Master {Nc}"},
	langFR: {"Licence en {N}", "Master en {N}"},
	langES: {"Grado en {Nc}", "Máster Universitario en {Nc}"},
	langIT: {"Corso di laurea in {Nc}", "Corso di laurea magistrale in {Nc}"},
	langPT: {"Licenciatura em {Nc}", "Mestrado em {Nc}"},
	langPL: {"{Nc} – studia pierwszego stopnia", "{Nc} – studia drugiego stopnia"},
	langCS: {"{Nc} – bakalářský studijní program", "{Nc} – navazující magisterský studijní program"},
	langSV: {"Kandidatprogram i {N}", "Masterprogram i {N}"},
	langFI: {"{Xc} kandidaattiohjelma", "{Xc} maisteriohjelma"},
}

var programDescs = [numLangs][2]string{
	langEN: {
		"This bachelor's programme offers a broad academic foundation in {X} and concludes with a bachelor's thesis.",
		"This master's programme deepens knowledge of {X}, prepares students for research and professional practice, and concludes with a master's thesis.",
	},
	langDE: {
		"Der Bachelorstudiengang vermittelt eine breite wissenschaftliche Grundlage im Bereich {N} und schließt mit einer Bachelorarbeit ab.",
		"Der Masterstudiengang vertieft die Kenntnisse im Bereich {N}, bereitet auf Forschung und Berufspraxis vor und schließt mit einer Masterarbeit ab.",
	},
	langNL: {
		"De bacheloropleiding biedt een brede academische basis in {N} en wordt afgesloten met een bachelorscriptie.",
		"De masteropleiding verdiept de kennis van {N}, bereidt voor op onderzoek en beroepspraktijk en wordt afgesloten met een masterscriptie.",
	},
	langFR: {
		"La licence offre une solide formation de base en {N} et se termine par un projet de fin d'études.",
		"Le master approfondit les connaissances en {N}, prépare à la recherche comme à la vie professionnelle et se conclut par un mémoire.",
	},
	langES: {
		"El grado proporciona una sólida formación básica en el ámbito {dX} y culmina con un trabajo de fin de grado.",
		"El máster profundiza en el ámbito {dX}, prepara para la investigación y el ejercicio profesional y culmina con un trabajo de fin de máster.",
	},
	langIT: {
		"Il corso di laurea fornisce una solida preparazione di base nell'ambito {dX} e si conclude con la prova finale.",
		"Il corso di laurea magistrale approfondisce le conoscenze nell'ambito {dX}, prepara alla ricerca e alla professione e si conclude con la tesi di laurea.",
	},
	langPT: {
		"A licenciatura proporciona uma sólida formação de base no domínio {dX} e termina com um projeto final.",
		"O mestrado aprofunda os conhecimentos no domínio {dX}, prepara para a investigação e a prática profissional e termina com uma dissertação.",
	},
	langPL: {
		"Studia pierwszego stopnia zapewniają solidne podstawy z zakresu {X} i kończą się pracą dyplomową.",
		"Studia drugiego stopnia pogłębiają wiedzę z zakresu {X}, przygotowują do pracy badawczej i zawodowej oraz kończą się pracą magisterską.",
	},
	langCS: {
		"Bakalářský program poskytuje široký odborný základ v oblasti {X} a je zakončen bakalářskou prací.",
		"Navazující magisterský program prohlubuje znalosti v oblasti {X}, připravuje na výzkum i praxi a je zakončen diplomovou prací.",
	},
	langSV: {
		"Kandidatprogrammet ger en bred vetenskaplig grund inom {N} och avslutas med ett självständigt arbete.",
		"Masterprogrammet fördjupar kunskaperna inom {N}, förbereder för forskning och yrkesliv och avslutas med ett examensarbete.",
	},
	langFI: {
		"Kandidaattiohjelma antaa laajan tieteellisen perustan {X} alalla ja päättyy kandidaatintutkielmaan.",
		"Maisteriohjelma syventää {X} osaamista, valmentaa tutkimukseen ja työelämään ja päättyy pro gradu -tutkielmaan.",
	},
}

// faculty groups ISCED broad fields into the faculties of an institution.
type faculty int

const (
	facHumanities  faculty = iota // 01, 02
	facSocial                     // 03, 04, 10
	facScience                    // 05
	facEngineering                // 06, 07
	facLife                       // 08, 09
	numFaculties
)

var facultyShort = [numFaculties]string{"HUM", "SOC", "SCI", "ENG", "LHS"}

func facultyOf(broad string) faculty {
	switch broad {
	case "01", "02":
		return facHumanities
	case "05":
		return facScience
	case "06", "07":
		return facEngineering
	case "08", "09":
		return facLife
	default:
		return facSocial
	}
}

var facultyNames = [numLangs][numFaculties]string{
	langEN: {"Faculty of Humanities and Education", "Faculty of Economics, Law and Social Sciences", "Faculty of Science", "Faculty of Engineering and Computer Science", "Faculty of Life and Health Sciences"},
	langDE: {"Fakultät für Geistes- und Bildungswissenschaften", "Fakultät für Wirtschafts-, Rechts- und Sozialwissenschaften", "Mathematisch-Naturwissenschaftliche Fakultät", "Fakultät für Ingenieurwissenschaften und Informatik", "Fakultät für Lebens- und Gesundheitswissenschaften"},
	langNL: {"Faculteit der Geesteswetenschappen", "Faculteit Economie, Recht en Maatschappijwetenschappen", "Faculteit der Natuurwetenschappen", "Faculteit Techniek en Informatica", "Faculteit Gezondheids- en Levenswetenschappen"},
	langFR: {"Faculté des lettres et sciences humaines", "Faculté de droit, d'économie et de sciences sociales", "Faculté des sciences", "Faculté des sciences de l'ingénieur et d'informatique", "Faculté des sciences de la vie et de la santé"},
	langES: {"Facultad de Filosofía y Letras", "Facultad de Ciencias Sociales y Jurídicas", "Facultad de Ciencias", "Escuela de Ingeniería e Informática", "Facultad de Ciencias de la Vida y de la Salud"},
	langIT: {"Dipartimento di Studi Umanistici", "Dipartimento di Economia, Giurisprudenza e Scienze Sociali", "Dipartimento di Scienze", "Dipartimento di Ingegneria e Informatica", "Dipartimento di Scienze della Vita e della Salute"},
	langPT: {"Faculdade de Letras", "Faculdade de Economia, Direito e Ciências Sociais", "Faculdade de Ciências", "Faculdade de Engenharia e Informática", "Faculdade de Ciências da Vida e da Saúde"},
	langPL: {"Wydział Humanistyczny", "Wydział Nauk Społecznych, Ekonomii i Prawa", "Wydział Nauk Ścisłych i Przyrodniczych", "Wydział Inżynierii i Informatyki", "Wydział Nauk o Życiu i Zdrowiu"},
	langCS: {"Filozofická fakulta", "Fakulta sociálních a ekonomických věd", "Přírodovědecká fakulta", "Fakulta inženýrství a informatiky", "Fakulta zdravotnických a přírodních věd"},
	langSV: {"Humanistiska fakulteten", "Samhällsvetenskapliga fakulteten", "Naturvetenskapliga fakulteten", "Fakulteten för teknik och datavetenskap", "Fakulteten för livs- och hälsovetenskap"},
	langFI: {"Humanistinen tiedekunta", "Yhteiskuntatieteellinen tiedekunta", "Luonnontieteellinen tiedekunta", "Tekniikan ja tietojenkäsittelyn tiedekunta", "Terveys- ja luonnontieteiden tiedekunta"},
}

// terms name the autumn [0] and spring [1] terms. {Y}: calendar year the
// term starts in; {AY}: academic year, e.g. 2025/26.
var terms = [numLangs][2]string{
	langEN: {"Autumn semester {Y}", "Spring semester {Y}"},
	langDE: {"Wintersemester {AY}", "Sommersemester {Y}"},
	langNL: {"semester 1, {AY}", "semester 2, {AY}"},
	langFR: {"semestre d'automne {Y}", "semestre de printemps {Y}"},
	langES: {"primer cuatrimestre {AY}", "segundo cuatrimestre {AY}"},
	langIT: {"primo semestre {AY}", "secondo semestre {AY}"},
	langPT: {"1.º semestre {AY}", "2.º semestre {AY}"},
	langPL: {"semestr zimowy {AY}", "semestr letni {AY}"},
	langCS: {"zimní semestr {AY}", "letní semestr {AY}"},
	langSV: {"hösttermin {Y}", "vårtermin {Y}"},
	langFI: {"syyslukukausi {Y}", "kevätlukukausi {Y}"},
}

// termName names a term of the academic year starting in ay.
func termName(l langID, ay int, spring bool) string {
	i, y := 0, ay
	if spring {
		i, y = 1, ay+1
	}
	return strings.NewReplacer(
		"{Y}", strconv.Itoa(y),
		"{AY}", academicYear(ay),
	).Replace(terms[l][i])
}

// academicYear formats the academic year starting in ay, e.g. "2025/26".
func academicYear(ay int) string {
	return strconv.Itoa(ay) + "/" + strconv.Itoa((ay+1)%100 + 100)[1:]
}

// contraction is how a preposition merges with an article.
type contraction struct{ article, to, of string }

var contractions = map[langID][]contraction{
	langFR: {{"l'", "à l'", "de l'"}, {"la ", "à la ", "de la "}, {"le ", "au ", "du "}, {"les ", "aux ", "des "}},
	langES: {{"el ", "al ", "del "}, {"la ", "a la ", "de la "}, {"los ", "a los ", "de los "}, {"las ", "a las ", "de las "}},
	langIT: {{"l'", "all'", "dell'"}, {"il ", "al ", "del "}, {"lo ", "allo ", "dello "}, {"la ", "alla ", "della "}, {"i ", "ai ", "dei "}, {"gli ", "agli ", "degli "}, {"le ", "alle ", "delle "}},
	langPT: {{"o ", "ao ", "do "}, {"a ", "à ", "da "}, {"os ", "aos ", "dos "}, {"as ", "às ", "das "}},
}

// contract joins "to" (of=false) or "of" (of=true) with x, which starts with
// a definite article.
func contract(l langID, x string, of bool) string {
	for _, c := range contractions[l] {
		if rest, ok := strings.CutPrefix(x, c.article); ok {
			if of {
				return c.of + rest
			}
			return c.to + rest
		}
	}
	return x
}

// fill replaces the placeholders of tpl with the forms of f in language l.
func fill(tpl string, l langID, f form) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		j := strings.IndexByte(tpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		switch ph := tpl[i : i+j+1]; ph {
		case "{N}":
			b.WriteString(f.n)
		case "{Nc}":
			b.WriteString(capFirst(f.n))
		case "{X}":
			b.WriteString(f.x)
		case "{Xc}":
			b.WriteString(capFirst(f.x))
		case "{aX}":
			b.WriteString(contract(l, f.x, false))
		case "{dX}":
			b.WriteString(contract(l, f.x, true))
		default:
			panic("testfed: unknown placeholder " + ph)
		}
		tpl = tpl[i+j+1:]
	}
}

// capFirst upper-cases the first letter of s.
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
