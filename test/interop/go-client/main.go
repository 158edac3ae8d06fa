// Command go-client provisions a tenant through tenant-workflows from Go, using only the contract of
// docs/payload-encryption.md: it starts tenantCreationWorkflow with encrypted input, waits for the
// result, runs the getState query and prints one JSON object. Exit 0: provisioned; 1: the start was
// refused or the workflow failed (the failure is in the JSON); 2: anything else, on stderr (usage,
// configuration, connection, a run that was terminated or cancelled rather than failed).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

type output struct {
	WorkflowID    string                `json:"workflowId"`
	RunID         string                `json:"runId,omitempty"`
	RequestDigest string                `json:"requestDigest"`
	Result        *TenantCreationResult `json:"result,omitempty"`
	State         *ProvisioningState    `json:"state,omitempty"`
	Error         *failure              `json:"error,omitempty"`
}

type failure struct {
	Type         string `json:"type"`
	Message      string `json:"message"`
	NonRetryable bool   `json:"nonRetryable"`
	// Field: the input field at fault (InvalidInput), from the first failure in the chain that names one.
	Field string `json:"field,omitempty"`
}

func main() {
	var input TenantCreationInput
	plaintext := flag.Bool("plaintext", false, "start without the payload codec (the worker must refuse it: UnencryptedPayload)")
	flag.StringVar(&input.TenantName, "tenant-name", "", "tenant name")
	flag.StringVar(&input.Slug, "slug", "", "normalized slug; the workflow id is tenant-<slug>")
	flag.StringVar(&input.ContactEmail, "contact-email", "", "contact email (default: the admin's)")
	flag.StringVar(&input.Admin.Email, "email", "", "admin email")
	flag.StringVar(&input.Admin.FirstName, "first-name", "", "admin first name")
	flag.StringVar(&input.Admin.LastName, "last-name", "", "admin last name")
	flag.Parse()
	// From the environment, not a flag: a password on the command line is visible to every user of the machine.
	input.Admin.Password = os.Getenv("ADMIN_PASSWORD")

	out, err := provision(input, *plaintext)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-client:", err)
		os.Exit(2)
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
	if out.Error != nil {
		os.Exit(1)
	}
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func dataConverter(plaintext bool) (converter.DataConverter, error) {
	if plaintext {
		return converter.GetDefaultDataConverter(), nil
	}
	codec, err := parseKeys(os.Getenv("PAYLOAD_ENCRYPTION_KEYS"))
	if err != nil {
		return nil, err
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec), nil
}

func provision(input TenantCreationInput, plaintext bool) (*output, error) {
	dc, err := dataConverter(plaintext)
	if err != nil {
		return nil, err
	}
	c, err := client.Dial(client.Options{
		HostPort:      env("TEMPORAL_ADDRESS", "localhost:7233"),
		Namespace:     env("TEMPORAL_NAMESPACE", "default"),
		DataConverter: dc,
		// stdout carries only the JSON result.
		Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		// The worker encrypts failure messages (they can quote input); the type stays plain.
		FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true}),
	})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	digest := requestDigest(input)
	out := &output{WorkflowID: workflowIDPrefix + input.Slug, RequestDigest: digest}
	// The Go SDK encodes memo values without the codec: encode the digest here and hand it over raw, so
	// the server stores it encrypted like the input it is a hash of.
	encodedDigest, err := dc.ToPayload(digest)
	if err != nil {
		return nil, err
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       out.WorkflowID,
		TaskQueue:                env("TEMPORAL_TASK_QUEUE", "tenant-workflows"),
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		Memo:                     map[string]any{digestMemo: converter.NewRawValue(encodedDigest)},
		// Without it the Go SDK hands back the completed run of the slug instead of the server's refusal.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflowType, input)
	var alreadyStarted *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &alreadyStarted) {
		out.Error = &failure{Type: "TenantAlreadyProvisioned", Message: "the tenant's provisioning completed; it cannot be created again", NonRetryable: true}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.RunID = run.GetRunID()

	// USE_EXISTING hands back a running provisioning of the slug; it is ours only if it carries our digest.
	attached, err := startedDigest(ctx, c, dc, out.WorkflowID, out.RunID)
	if err != nil {
		return nil, err
	}
	if attached != digest {
		out.Error = &failure{Type: "ProvisioningInProgress", Message: "the slug is being provisioned by a different request", NonRetryable: true}
		return out, nil
	}

	var result TenantCreationResult
	if err := run.Get(ctx, &result); err != nil {
		if out.Error = workflowFailure(err); out.Error == nil {
			return nil, err
		}
	} else {
		out.Result = &result
	}
	if plaintext {
		// The worker answers queries through its codec: without the keys the state is unreadable.
		return out, nil
	}
	value, err := c.QueryWorkflow(ctx, out.WorkflowID, out.RunID, stateQuery)
	if err != nil {
		return nil, err
	}
	out.State = &ProvisioningState{}
	return out, value.Get(out.State)
}

func startedDigest(ctx context.Context, c client.Client, dc converter.DataConverter, workflowID, runID string) (string, error) {
	description, err := c.DescribeWorkflowExecution(ctx, workflowID, runID)
	if err != nil {
		return "", err
	}
	payload, found := description.GetWorkflowExecutionInfo().GetMemo().GetFields()[digestMemo]
	if !found {
		return "", nil
	}
	var digest string
	return digest, dc.FromPayload(payload, &digest)
}

// workflowFailure: the workflow's ApplicationError (its type is the contract's error type), or nil.
func workflowFailure(err error) *failure {
	var application *temporal.ApplicationError
	if !errors.As(err, &application) {
		return nil
	}
	f := &failure{Type: application.Type(), Message: application.Message(), NonRetryable: application.NonRetryable()}
	for cause := error(application); cause != nil && f.Field == ""; cause = errors.Unwrap(cause) {
		var details struct {
			Field string `json:"field"`
		}
		if next, ok := cause.(*temporal.ApplicationError); ok && next.HasDetails() && next.Details(&details) == nil {
			f.Field = details.Field
		}
	}
	return f
}
