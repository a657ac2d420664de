@scoped
Feature: Profile endpoints return only the allowed fields
  An API that returns the whole customer row (password hash, internal notes, other ids)
  leaks even when it returns the right customer. Each profile route lists the fields it may
  return in the config (`allowed_fields`).

  Background:
    Given alice is logged in

  @smoke
  Scenario: The profile returns only the allowed fields
    When alice requests the "profile" route
    Then the response status is 200
    And the response JSON has only the fields allowed for the "profile" route

  @smoke
  Scenario: The customer lookup returns only the allowed fields
    When alice requests the "customer_by_id" route
    Then the response status is 200
    And the response JSON has only the fields allowed for the "customer_by_id" route
