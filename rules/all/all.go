// Package all is the registry: every rule rubric has, as an explicit list.
package all

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/bugs"
	"github.com/rubric-dev/rubric/rules/celery"
	"github.com/rubric-dev/rubric/rules/design"
	"github.com/rubric-dev/rubric/rules/exceptions"
	"github.com/rubric-dev/rubric/rules/httpclient"
	"github.com/rubric-dev/rubric/rules/idempotency"
	"github.com/rubric-dev/rubric/rules/logs"
	"github.com/rubric-dev/rubric/rules/migrations"
	"github.com/rubric-dev/rubric/rules/orm"
	"github.com/rubric-dev/rubric/rules/resilience"
	"github.com/rubric-dev/rubric/rules/security"
	"github.com/rubric-dev/rubric/rules/txn"
)

// Rules returns every rule, built-in ones first, then by family.
func Rules() []*analyzer.Rule {
	rs := append(analyzer.BuiltinRules(), analyzer.SuppressionRules()...)
	rs = append(rs,
		exceptions.BareExcept,
		exceptions.BroadExcept,
		exceptions.Swallowed,
		exceptions.GenericRaise,
		exceptions.RaiseWithoutFrom,
		exceptions.SilentNone,
		exceptions.ErrorAnsweredOK,
		exceptions.StatusAsErrorCode,
		exceptions.DecimalErrorNotCaught,
		logs.EagerFormat,
		logs.ErrorWithoutTraceback,
		logs.PrintAsLog,
		httpclient.MissingTimeout,
		httpclient.VerifyDisabled,
		httpclient.UncheckedResponse,
		httpclient.RemoteCallPerRow,
		txn.SideEffectInAtomic,
		txn.WriteThenNotify,
		txn.MultiModelWrites,
		txn.NetworkInAtomic,
		txn.LostUpdate,
		txn.NoCompensation,
		txn.AppliedOnEverySave,
		txn.SentOnEverySave,
		txn.RejectAfterWrite,
		txn.StatusOverwrite,
		txn.ParentStatusUnchecked,
		txn.AtomicOnClass,
		idempotency.PaymentWithoutKey,
		idempotency.WebhookWithoutDedup,
		idempotency.DuplicateDeliveryAnsweredError,
		idempotency.RetriedTaskCreates,
		idempotency.ReferenceNotUnique,
		idempotency.MoneyEndpointWithoutKey,
		idempotency.ProviderObjectOnEverySave,
		idempotency.StatusFlipMovesMoneyAgain,
		idempotency.RetryBlockedByClaim,
		resilience.NoRetryPolicy,
		resilience.NoCircuitBreaker,
		resilience.StatusOnly200,
		design.SettingsInService,
		design.DirectHTTPInService,
		design.ImportTimeClient,
		design.MixedConcerns,
		design.NoTests,
		design.BalanceWithoutLedger,
		design.UndeclaredDependency,
		design.CommittedLocalState,
		design.DevServerDeployed,
		design.LocalURLHandedOut,
		design.PlaceholderDependency,
		design.ValueFrozenAtImport,
		security.CompareDigest,
		security.UnsignedWebhook,
		security.ReplayableWebhook,
		security.UnboundedWebhookBody,
		security.SecretInLog,
		security.HardcodedSecret,
		security.DebugEnabled,
		security.AllowedHostsWildcard,
		security.SQLFromStrings,
		security.UnsafeDeserialization,
		security.ModelFormAllFields,
		security.TenantUnscopedQuery,
		security.OpenWriteEndpoint,
		security.DiscardedDecorator,
		security.UnscopedObjectAccess,
		security.RelatedFieldAnyOwner,
		security.CSRFExemptSessionView,
		security.StateChangeAnyMethod,
		security.UnvalidatedPayloadKey,
		security.SensitiveSerializerField,
		security.WritableSensitiveField,
		security.LedgerEditable,
		security.OpenReadEndpoint,
		security.SecretKeyPlaceholderFallback,
		security.CommittedEnvSecret,
		security.TokenWithoutPassword,
		security.HostListFromString,
		security.PasswordLookup,
		celery.ModelArgument,
		celery.NoTimeLimit,
		celery.ExternalCallNoRetry,
		celery.RetryWithoutBackoff,
		celery.UnboundedRetries,
		celery.ResultWaitInTask,
		celery.DelayInLoop,
		celery.FailedThenRetried,
		celery.MisspeltTaskOption,
		celery.RevokedIDRequeued,
		celery.SleepInTask,
		orm.NPlusOne,
		orm.RelatedManagerPerRow,
		orm.QueryInLoop,
		orm.WriteInLoop,
		orm.WastefulEvaluation,
		orm.UnboundedList,
		orm.MissingIndex,
		orm.SerializerRelations,
		orm.AdminChangelist,
		orm.WholeTableIteration,
		orm.UnorderedPagination,
		orm.WholeRows,
		orm.TemplateNPlusOne,
		orm.MembershipRequery,
		orm.RedundantIndex,
		migrations.AddFieldNotNull,
		migrations.AddFieldPythonDefault,
		migrations.BackwardIncompatible,
		migrations.SetNotNull,
		migrations.AddUnique,
		migrations.BlockingIndex,
		migrations.Irreversible,
		migrations.DirectModelImport,
		migrations.FullTableSave,
		migrations.MixedSchemaData,
		migrations.ConflictingLeaves,
		migrations.MissingDependency,
		migrations.DependencyCycle,
		migrations.TooManyMigrations,
		migrations.MissingMigration,
	)
	rs = append(rs, bugs.Rules()...)
	return rs
}

// ByCode finds a rule by code (case-insensitive) or name.
func ByCode(code string) *analyzer.Rule {
	for _, r := range Rules() {
		if equalFold(r.Code, code) || r.Name == code {
			return r
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}
