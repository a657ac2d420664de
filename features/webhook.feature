@webhook @mutating
Feature: Stripe webhooks are signed, idempotent and mapped to the right customer
  Every delivery is signed with the endpoint's secret by stripe-go's own signer. Effects are read
  back through the customer's own API, counted by the event's id, so scenarios running in
  parallel never see each other's events. Read-only targets skip this feature: nothing is sent.

  Background:
    Given alice is logged in
    And bob is logged in

  Scenario: A valid event replayed three times leaves exactly one entitlement
    Given a Stripe event "purchase" from "fixtures/stripe/checkout_completed.json" for alice
    When the "purchase" event is delivered 3 times
    Then every delivery of the "purchase" event was accepted
    And the "entitlements" route for alice lists the "purchase" event 1 time

  Scenario Outline: A forged delivery is rejected and changes nothing
    Given a Stripe event "forged" from "fixtures/stripe/checkout_completed.json" for alice
    When the "forged" event is delivered <forgery>
    Then every delivery of the "forged" event was rejected
    And the "entitlements" route for alice lists the "forged" event 0 times

    Examples:
      | forgery                |
      | with a wrong signature |
      | without a signature    |
      | with a stale timestamp |
      | with a malformed body  |

  Scenario: A failing event followed by its retries leaves exactly one entitlement
    Given a Stripe event "flaky" from "fixtures/stripe/checkout_fails_once.json" for alice
    When the "flaky" event is delivered 1 time
    And the "flaky" event is delivered 3 times
    Then the "entitlements" route for alice lists the "flaky" event 1 time

  Scenario: An event for alice's customer changes alice's entitlements and never bob's
    Given a Stripe event "alice-purchase" from "fixtures/stripe/checkout_completed.json" for alice
    When the "alice-purchase" event is delivered 1 time
    Then every delivery of the "alice-purchase" event was accepted
    And the "entitlements" route for alice lists the "alice-purchase" event 1 time
    And the "entitlements" route for bob lists the "alice-purchase" event 0 times

  Scenario: Events delivered out of order do not revert a newer state
    Given a Stripe event "upgrade" from "fixtures/stripe/subscription_updated.json" for bob with:
      | plan    | pro     |
      | created | now     |
    And a Stripe event "older-downgrade" from "fixtures/stripe/subscription_updated.json" for bob with:
      | plan    | starter |
      | created | now-600 |
    When the "upgrade" event is delivered 1 time
    And the "older-downgrade" event is delivered 1 time
    Then every delivery of the "upgrade" event was accepted
    When bob requests the "profile" route
    Then the response JSON field "plan" is "pro"
