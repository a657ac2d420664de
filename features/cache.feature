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

  @browser
  Scenario: Deleting only the session cookie leaves no personalised page behind
    Given alice logs in through the browser
    When alice opens the "dashboard" page
    Then the page shows alice's "name"
    When alice's session cookie is deleted in the browser
    And alice reloads the page
    Then the page is the login page
    And the page shows none of alice's fingerprints

  @browser
  Scenario: The checkout success page shows nothing to a browser that is not its customer
    Given bob is logged in
    When anonymous opens the "checkout_success" page with alice's values
    Then the page shows none of alice's fingerprints
    When bob opens the "checkout_success" page with alice's values
    Then the page shows none of alice's fingerprints
