// Package bugs holds the BUG family: crashes and silent data bugs that the
// source proves, checked against the project's model graph and the
// semantic model (a lookup on a field that does not exist, a name never
// bound, a coroutine never awaited, an IntegrityError caught inside a
// transaction, money held as float...). Each rule reports only what it can
// prove: a model with fields it cannot see, a dynamic name or a base class
// from a library makes it silent.
package bugs

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// Rules returns the BUG family, in code order.
func Rules() []*analyzer.Rule {
	return []*analyzer.Rule{UnknownField, SerializerUnknownField, ViewWithoutQueryset, UnawaitedCoroutine, UndefinedName, IntegrityErrorInAtomic,
		DoubleRetry, RetryExcNotException, FloatMoney, DefaultNotInChoices,
		ReverseOneToOnePerRow, AdminUnknownField, MissingRow500, MetaKeyNeverSet, NoneResultUsed, CompareDigestObject, UnscopedUpdate, UnsavedWrite, RetryLoopNoExit, ManyToManyDelete, UnknownModelAttribute, DiscardedResponse, KeyInQueryset, PredicateAsValue, PublishableKeyServerSide, AmountWithoutLowerBound,
		ReadOnlyInputField, DuplicateCheckAfterUniqueValidator, JSONViewBlockedByCSRF, BusinessError500, FormReadInJSONAPI, DuplicateCheckFallsThrough, SerializerFieldAsAttribute, EnvBoolAsString, PaidOnPaymentCreate, ImportNameNotDefined, NaiveDatetimeStored, ProviderError500, DuplicateCheckRace, ProtectedDelete500, OverlapCheckRace, PaymentOutcomeNeverLearnt, HTTPStatusUnchecked, SaveSkipsNewRows, RouterRouteShadowed, ReceiverNeverImported, URLKwargMismatch, NestedWriteWithoutMethod, UnboundOnSomePaths, WithdrawalWithoutFundsCheck, BilledOnStartDayOnly, MisspeltDRFSetting, MissingCommaInFieldNames, DeleteSavesInstead, ChoiceNeverSet, ValidatedDataReadAsAttribute, CounterMovedOnCreateOnly, ConstantCondition, TaskBindingMismatch, UnlockedPoolClaim, ModelCleanNeverCalled, TaskQueuedTwiceOnCreate, FixedRowKey, ResponseUsedAsValue, BrokenIntervalTest, CentsTruncated, AutoNowSkippedByUpdateFields, BalanceNeverWritten, UnsetPairCompared, DifferenceOnNewParentOnly, RouteLeadingSlash, ViewUnknownFilterField, TrailingCommaTuple, UnreachableAfterBranches}
}

// requires are the shared analyses the model-aware rules read.
var requires = []project.Analysis{semantic.Project}

// didYouMean is the help for a name that does not exist: the closest real
// one, else the names there are.
func didYouMean(suggest string, known []string, what string) string {
	if suggest != "" {
		return fmt.Sprintf("did you mean `%s`?", suggest)
	}
	if len(known) == 0 {
		return ""
	}
	if len(known) > 12 {
		known = append(append([]string(nil), known[:12]...), "...")
	}
	return fmt.Sprintf("%s: `%s`", what, strings.Join(known, "`, `"))
}
