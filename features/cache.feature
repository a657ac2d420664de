@cache
Feature: Personalised responses never come from or go into a shared cache
  A CDN or shared cache in front of the app must never store a personalised page or serve one
  customer's page to the next visitor.

  @smoke
  Scenario: Personalised routes are private
    Given alice is logged in
    Then every personalised route is private for alice

  Scenario: A personalised page loaded by alice is not served to the next visitors
    Given alice is logged in
    And bob is logged in
    When alice requests the "dashboard" route
    And anonymous requests the "dashboard" route
    Then the response was not served from a shared cache
    When bob requests the "dashboard" route
    Then the response was not served from a shared cache
    When alice requests the "account_page" route
    And anonymous requests the "account_page" route
    Then the response was not served from a shared cache
    When bob requests the "account_page" route
    Then the response was not served from a shared cache

  Scenario: The checkout success page is private to its customer
    Given alice is logged in
    And bob is logged in
    When alice requests the "checkout_success" route
    Then the response status is 200
    And the response is not cacheable by a shared cache
    When anonymous requests the "checkout_success" route with alice's values
    Then the response contains none of alice's fingerprints
    When bob requests the "checkout_success" route with alice's values
    Then the response contains none of alice's fingerprints
