@isolation
Feature: Two-account isolation
  A paying customer sees their own profile and orders and never another customer's: not in
  their own responses, not by asking for someone else's record by id, and not by sending
  someone else's user id. The leak sentinel checks every response against every other
  account's fingerprints, so any step that leaks fails even before an assertion.

  Background:
    Given alice is logged in
    And bob is logged in

  @smoke
  Scenario: Each account sees its own profile
    When alice requests the "profile" route
    Then the response status is 200
    And the response JSON field "email" is alice's "email"
    When bob requests the "profile" route
    Then the response status is 200
    And the response JSON field "email" is bob's "email"

  @smoke
  Scenario: Each account lists only its own orders
    When alice requests the "orders" route
    Then the response status is 200
    And the response contains alice's "order_1"
    And the response contains none of bob's fingerprints
    When bob requests the "orders" route
    Then the response status is 200
    And the response contains bob's "order_1"
    And the response contains none of alice's fingerprints

  @smoke
  Scenario: Fetching another account's order by id is refused
    When alice requests the "order" route with bob's values
    Then the response status is one of 403, 404
    And the response contains none of bob's fingerprints
    When bob requests the "order" route with alice's values
    Then the response status is one of 403, 404
    And the response contains none of alice's fingerprints

  @smoke
  Scenario: A client-supplied user id is ignored
    When alice requests the "customer_by_id" route with bob's values
    Then the response status is one of 200, 400, 403, 404
    And the response contains none of bob's fingerprints
    When bob requests the "customer_by_id" route with alice's values
    Then the response status is one of 200, 400, 403, 404
    And the response contains none of alice's fingerprints

  @browser
  Scenario: Each account's dashboard shows its own data and its page fetches nobody else's
    When alice opens the "dashboard" page
    Then the page is not the login page
    And the page shows alice's "name"
    And the page shows alice's "order_1"
    When bob opens the "dashboard" page
    Then the page shows bob's "name"
    And the page shows bob's "order_1"
