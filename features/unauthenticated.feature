@unauth
Feature: Protected routes refuse visitors without a session
  Every protected route of the target (the routes marked `protected` in its config) answers
  401 or 403, or redirects to the login page, when there is no session — never 200 with data.

  @smoke
  Scenario: Every protected route refuses an anonymous visitor
    Then anonymous is refused on every protected route

  @smoke
  Scenario: The profile API answers 401 or 403 without a session
    When anonymous requests the "profile" route
    Then the response status is one of 401, 403

  @smoke
  Scenario: The orders API answers 401 or 403 without a session
    When anonymous requests the "orders" route
    Then the response status is one of 401, 403
