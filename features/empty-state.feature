@isolation @browser
Feature: Empty states show nothing of anyone else
  A customer with no orders gets an empty list and an empty state — never an error, never
  somebody else's latest record as a "fallback". Freshly logged-in sessions render their own
  data on first load. (In the demo, carol logs in through the browser: her cookies then serve
  her API requests too.)

  Scenario: A customer with no orders gets an empty list from the API
    Given carol is logged in
    When carol requests the "orders" route
    Then the response status is 200
    And the response JSON field "orders" has 0 items

  Scenario: A customer with no orders sees an empty state on her pages
    Given carol is logged in
    When carol opens the "dashboard" page
    Then the page is not the login page
    And the page shows carol's "name"
    And the page shows no error details
    When carol opens the "account_page" page
    Then the page shows carol's "name"
    And the page shows no error details

  Scenario: A page without a session shows the login page and nobody's data
    When anonymous opens the "dashboard" page
    Then the page is the login page
    And the page shows no error details

  Scenario: A page whose API fails during the load shows no one's data and no error details
    Given alice is logged in
    And alice's browser gets server errors from the "orders" route
    When alice opens the "dashboard" page
    Then the page is not the login page
    And the page shows alice's "name"
    And the page shows no error details
