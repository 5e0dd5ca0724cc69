package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job is a job of the queue as an operator sees it.
type Job struct {
	ID          int64
	Kind        string
	State       string
	Attempt     int
	MaxAttempts int
	// Args are the job's arguments as JSON.
	Args string
	// Errors are the failed attempts' errors, oldest first.
	Errors      []string
	Tags        []string
	CreatedAt   time.Time
	ScheduledAt time.Time
	// FinalizedAt is when the job ended; zero while it has not.
	FinalizedAt time.Time
}

// JobStates are the states an operator may list, in the order a job
// goes through them.
var JobStates = []string{string(rivertype.JobStateAvailable), string(rivertype.JobStateScheduled),
	string(rivertype.JobStateRunning), string(rivertype.JobStateRetryable), string(rivertype.JobStateCompleted),
	string(rivertype.JobStateDiscarded), string(rivertype.JobStateCancelled)}

// Jobs lists up to limit jobs in a state, newest first.
func (q *Queue) Jobs(ctx context.Context, state string, limit int) ([]Job, error) {
	params := river.NewJobListParams().States(rivertype.JobState(state)).First(limit).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	res, err := q.client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, jobOf(j))
	}
	return out, nil
}

func jobOf(j *rivertype.JobRow) Job {
	out := Job{ID: j.ID, Kind: j.Kind, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		Args: string(j.EncodedArgs), Tags: j.Tags, CreatedAt: j.CreatedAt, ScheduledAt: j.ScheduledAt}
	if j.FinalizedAt != nil {
		out.FinalizedAt = *j.FinalizedAt
	}
	for _, e := range j.Errors {
		out.Errors = append(out.Errors, e.Error)
	}
	return out
}

// CountJobs counts the jobs per state, up to cap in each (the queue keeps
// finished jobs for a while, and an operator needs orders of magnitude).
func (q *Queue) CountJobs(ctx context.Context, cap int) (map[string]int, error) {
	out := map[string]int{}
	for _, st := range JobStates {
		res, err := q.client.JobList(ctx, river.NewJobListParams().States(rivertype.JobState(st)).First(cap))
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		out[st] = len(res.Jobs)
	}
	return out, nil
}

// RetryJob makes a failed, cancelled or finished job run again as soon
// as possible.
func (q *Queue) RetryJob(ctx context.Context, id int64) (Job, error) {
	j, err := q.client.JobRetry(ctx, id)
	if err != nil {
		return Job{}, fmt.Errorf("job queue: retry job %d: %w", id, err)
	}
	return jobOf(j), nil
}

// ImportRegistry queues an import of the registry and the alliance data,
// without refreshing anything.
func (q *Queue) ImportRegistry(ctx context.Context) (Batch, error) {
	b := newBatch()
	b.Jobs = 1
	return b, q.insert(ctx, importArgs{}, priorityNow, []string{b.Tag})
}
