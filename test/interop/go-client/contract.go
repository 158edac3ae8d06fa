package main

// The workflow contract of docs/payload-encryption.md.
const (
	workflowType     = "tenantCreationWorkflow"
	workflowIDPrefix = "tenant-"
	stateQuery       = "getState"
	digestMemo       = "requestDigest"
)

type AdminUserInput struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Password  string `json:"password,omitempty"`
}

type TenantCreationInput struct {
	TenantName   string         `json:"tenantName"`
	Slug         string         `json:"slug"`
	ContactEmail string         `json:"contactEmail,omitempty"`
	Admin        AdminUserInput `json:"admin"`
}

// fields: the input as the JSON object it is sent as (optional fields absent when empty), for the digest.
func (in TenantCreationInput) fields() map[string]any {
	admin := map[string]any{"email": in.Admin.Email, "firstName": in.Admin.FirstName, "lastName": in.Admin.LastName}
	if in.Admin.Password != "" {
		admin["password"] = in.Admin.Password
	}
	fields := map[string]any{"tenantName": in.TenantName, "slug": in.Slug, "admin": admin}
	if in.ContactEmail != "" {
		fields["contactEmail"] = in.ContactEmail
	}
	return fields
}

type TenantCreationResult struct {
	TenantID          string `json:"tenantId"`
	Slug              string `json:"slug"`
	AdminUserID       string `json:"adminUserId"`
	AdminEmail        string `json:"adminEmail"`
	TemporaryPassword string `json:"temporaryPassword,omitempty"`
}

type ProvisioningState struct {
	Status         string     `json:"status"`
	Step           string     `json:"step"`
	CompletedSteps []string   `json:"completedSteps"`
	Progress       int        `json:"progress"`
	TenantID       string     `json:"tenantId,omitempty"`
	AdminUserID    string     `json:"adminUserId,omitempty"`
	LastError      *StepError `json:"lastError,omitempty"`
}

type StepError struct {
	Message string `json:"message"`
	Type    string `json:"type,omitempty"`
}
