@session
Feature: Expired and invalidated sessions get nothing
  A session that was logged out, tampered with or has expired must be refused on API routes
  (401/403) and sent to the login page on pages, with no fallback content: none of any
  customer's data — its own former customer's included — anywhere in the answer.

  @smoke
  Scenario: A logged-out session replayed on API routes is refused
    Given alice is logged in
    When alice logs out and keeps the old session
    Then alice is refused on every protected route

  @smoke
  Scenario: A tampered session on API routes is refused
    Given alice is logged in
    When alice's session is tampered with
    Then alice is refused on every protected route

  @browser
  Scenario: A logged-out session replayed on a page is sent to the login page
    Given alice is logged in
    When alice logs out and keeps the old session
    And alice opens the "dashboard" page
    Then the page is the login page
    And the page shows none of alice's fingerprints

  @expired-token
  Scenario: A pre-expired session token is refused
    Given alice is logged in
    When alice presents the pre-expired session token
    Then alice is refused on every protected route

  @jwt-expiry
  Scenario: A session token that expired is refused
    Given alice is logged in
    When alice's session token is re-signed with a past expiry
    Then alice is refused on every protected route
