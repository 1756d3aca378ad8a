// Key Vault in RBAC mode holding the webhook secrets, HMAC keys and outbound URLs. The Function
// App reads them through Key Vault references, so no secret value sits in an app setting.
param name string
param location string = resourceGroup().location
param tags object = {}

@secure()
param shopifyWebhookSecrets string
@secure()
param judgemeWebhookSecrets string
@secure()
param zendeskWebhookSecrets string
@secure()
param genericWebhookSecrets string
@secure()
param piiTokenKey string
@secure()
param actionLinkKey string
@secure()
param teamsWebhookUrl string

// Secret names in the vault (Key Vault allows letters, digits and dashes).
var secretNames = {
  shopifyWebhookSecrets: 'shopify-webhook-secrets'
  judgemeWebhookSecrets: 'judgeme-webhook-secrets'
  zendeskWebhookSecrets: 'zendesk-webhook-secrets'
  genericWebhookSecrets: 'generic-webhook-secrets'
  piiTokenKey: 'pii-token-key'
  actionLinkKey: 'action-link-key'
  teamsWebhookUrl: 'teams-webhook-url'
  // Written by ticket-logic-app.bicep from the trigger's callback URL.
  ticketLogicAppUrl: 'ticket-logic-app-url'
}

// A URL that parses but can never deliver (.invalid is reserved, RFC 2606), until an operator
// sets the real Teams Workflows URL (docs/deploy.md).
var teamsWebhookPlaceholder = 'https://teams-webhook.invalid/not-configured'

// The app requires HMAC keys of at least 32 characters; azd's secretOrRandomPassword makes 15.
// A short first value is lengthened deterministically; later runs read the stored long value
// back from the vault, so the key stays the same across provisions.
var hmacKeyMinLength = 32
var effectivePiiTokenKey = length(piiTokenKey) >= hmacKeyMinLength ? piiTokenKey : '${piiTokenKey}${guid(piiTokenKey, resourceGroup().id, 'pii-token-key')}'
var effectiveActionLinkKey = length(actionLinkKey) >= hmacKeyMinLength ? actionLinkKey : '${actionLinkKey}${guid(actionLinkKey, resourceGroup().id, 'action-link-key')}'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

var suppliedSecrets = [
  {
    name: secretNames.shopifyWebhookSecrets
    value: shopifyWebhookSecrets
  }
  {
    name: secretNames.judgemeWebhookSecrets
    value: judgemeWebhookSecrets
  }
  {
    name: secretNames.zendeskWebhookSecrets
    value: zendeskWebhookSecrets
  }
  {
    name: secretNames.genericWebhookSecrets
    value: genericWebhookSecrets
  }
  {
    name: secretNames.piiTokenKey
    value: effectivePiiTokenKey
  }
  {
    name: secretNames.actionLinkKey
    value: effectiveActionLinkKey
  }
  {
    name: secretNames.teamsWebhookUrl
    value: !empty(teamsWebhookUrl) ? teamsWebhookUrl : teamsWebhookPlaceholder
  }
]

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for secret in suppliedSecrets: {
    parent: vault
    name: secret.name
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

output id string = vault.id
output name string = vault.name
output endpoint string = vault.properties.vaultUri
output secretNames object = secretNames
// Versionless URIs: the app picks up a rotated secret when the platform refreshes references.
output secretUris object = {
  shopifyWebhookSecrets: '${vault.properties.vaultUri}secrets/${secretNames.shopifyWebhookSecrets}'
  judgemeWebhookSecrets: '${vault.properties.vaultUri}secrets/${secretNames.judgemeWebhookSecrets}'
  zendeskWebhookSecrets: '${vault.properties.vaultUri}secrets/${secretNames.zendeskWebhookSecrets}'
  genericWebhookSecrets: '${vault.properties.vaultUri}secrets/${secretNames.genericWebhookSecrets}'
  piiTokenKey: '${vault.properties.vaultUri}secrets/${secretNames.piiTokenKey}'
  actionLinkKey: '${vault.properties.vaultUri}secrets/${secretNames.actionLinkKey}'
  teamsWebhookUrl: '${vault.properties.vaultUri}secrets/${secretNames.teamsWebhookUrl}'
  ticketLogicAppUrl: '${vault.properties.vaultUri}secrets/${secretNames.ticketLogicAppUrl}'
}
