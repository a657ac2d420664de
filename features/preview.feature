@preview @smoke
Feature: A preview deployment never reaches production
  A target declares what belongs to production (config production: canaries, hosts, secrets).
  A preview must read none of production's records, call none of its backends and ship none
  of its secrets. Production canaries are fingerprints of nobody's session: the leak sentinel
  fails any scenario whose responses, pages or network calls carry one. Targets that declare
  nothing of production skip this feature.

  @browser
  Scenario: Sessions on the preview see no production record anywhere
    Given alice is logged in
    When alice requests the "orders" route
    And alice requests the "profile" route
    And alice opens the "dashboard" page
    And alice opens the "account_page" page
    Then the page is not the login page

  @browser
  Scenario: The preview's pages call no production backend
    Given alice is logged in
    When alice opens the "dashboard" page
    Then alice's browser sent no request to a production host

  Scenario: The preview's client assets name no production host or secret
    Then the public pages and client assets name no production host or secret
