-- +goose Up
-- The identifiers a course carries besides its canonical ID, so that any of
-- them resolves to the course (/id/course/{id}): the values of its
-- identifiers, whatever their scheme, and the IDs of its offerings.
-- ApplyCourses keeps the table in step with each course's document;
-- courses stored before this migration are filled in from theirs.
CREATE TABLE course_identifiers (
    value     TEXT NOT NULL,
    course_id TEXT NOT NULL,
    PRIMARY KEY (value, course_id)
) WITHOUT ROWID;
CREATE INDEX course_identifiers_course ON course_identifiers (course_id);

INSERT OR IGNORE INTO course_identifiers (value, course_id)
SELECT json_extract(j.value, '$.value'), c.id
FROM courses c, json_each(c.doc, '$.identifiers') j
WHERE json_extract(j.value, '$.value') NOT IN ('', c.id);

INSERT OR IGNORE INTO course_identifiers (value, course_id)
SELECT json_extract(j.value, '$.id'), c.id
FROM courses c, json_each(c.doc, '$.instances') j
WHERE json_extract(j.value, '$.id') NOT IN ('', c.id);

-- +goose Down
DROP INDEX course_identifiers_course;
DROP TABLE course_identifiers;
