// The Function App: Flex Consumption, Node.js 22, one user-assigned identity for everything
// (host storage, deployment package, Key Vault references, Event Hubs, Cosmos DB, OpenAI).
param name string
param location string = resourceGroup().location
param tags object = {}
param serviceName string = 'api'
param appServicePlanId string
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100
param identityId string
param identityClientId string
param hostStorageAccountName string
param deploymentStorageContainerName string
param feedbackStorageAccountName string
param eventHubsNamespaceFqdn string
param cosmosEndpoint string
param cosmosDatabaseName string
param openAiEndpoint string = ''
param openAiChatDeployment string = ''
param openAiApiVersion string
param applicationInsightsName string
@description('Versionless secret URIs from keyvault.bicep, keyed like its secretNames output.')
param keyVaultSecretUris object
param webhookMaxBytes int
param webhookReplayWindowSeconds int
@description('Client id of the Entra ID app registration that signs people in to the incident and review APIs (App Service Authentication). Empty: no sign-in is configured and those APIs refuse every caller in Azure.')
param apiAuthClientId string = ''

resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: hostStorageAccountName
}

resource feedbackStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: feedbackStorageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system one.
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// ============================================================================================
// APP SETTINGS: every name comes from shared/topology.ts `settings` (a connection prefix may
// carry `__` suffixes). test/unit/infra-names.test.ts checks this object against topology.ts.
// Add new settings inside this object, in the section they belong to. Secrets are Key Vault
// references (`@Microsoft.KeyVault(SecretUri=...)`), resolved with keyVaultReferenceIdentity.
// ============================================================================================
var appSettings = {
  // -- Functions host storage (identity-based) --
  AzureWebJobsStorage__accountName: hostStorage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  // -- Feedback storage: raw and landing containers; blob trigger needs blob + queue URIs --
  FEEDBACK_STORAGE__blobServiceUri: feedbackStorage.properties.primaryEndpoints.blob
  FEEDBACK_STORAGE__queueServiceUri: feedbackStorage.properties.primaryEndpoints.queue
  FEEDBACK_STORAGE__credential: 'managedidentity'
  FEEDBACK_STORAGE__clientId: identityClientId

  // -- Event Hubs (identity-based) --
  EVENTHUB_CONNECTION__fullyQualifiedNamespace: eventHubsNamespaceFqdn
  EVENTHUB_CONNECTION__credential: 'managedidentity'
  EVENTHUB_CONNECTION__clientId: identityClientId

  // -- Cosmos DB (Entra ID; no key) --
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabaseName

  // -- Mode and identity --
  PIPELINE_MODE: 'azure'
  AZURE_CLIENT_ID: identityClientId

  // -- Webhooks --
  SHOPIFY_WEBHOOK_SECRETS: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.shopifyWebhookSecrets})'
  JUDGEME_WEBHOOK_SECRETS: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.judgemeWebhookSecrets})'
  ZENDESK_WEBHOOK_SECRETS: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.zendeskWebhookSecrets})'
  GENERIC_WEBHOOK_SECRETS: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.genericWebhookSecrets})'
  WEBHOOK_MAX_BYTES: string(webhookMaxBytes)
  WEBHOOK_REPLAY_WINDOW_SECONDS: string(webhookReplayWindowSeconds)

  // -- Keys for tokens and action links --
  PII_TOKEN_KEY: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.piiTokenKey})'
  ACTION_LINK_KEY: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.actionLinkKey})'

  // -- Outbound: cards and tickets --
  PUBLIC_BASE_URL: 'https://${functionApp.properties.defaultHostName}'
  TEAMS_WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.teamsWebhookUrl})'
  TICKET_LOGIC_APP_URL: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUris.ticketLogicAppUrl})'
  // The route timer's binding reads it as %ROUTE_TIMER_SCHEDULE%: every minute.
  ROUTE_TIMER_SCHEDULE: '0 */1 * * * *'

  // -- Azure OpenAI (Entra ID; empty endpoint = no LLM escalation) --
  AZURE_OPENAI_ENDPOINT: openAiEndpoint
  AZURE_OPENAI_DEPLOYMENT: openAiChatDeployment
  AZURE_OPENAI_API_VERSION: openAiApiVersion

  // -- Telemetry (Application Insights has local auth off: the identity authenticates) --
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}
// ============================================================================================

resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

// App Service Authentication (EasyAuth) with Entra ID, in "allow anonymous" mode: webhooks and the
// signed card links must still reach the app, while the incident and review APIs require the
// principal EasyAuth validates and injects (`x-ms-client-principal`; it strips any the client sent).
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(apiAuthClientId)) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${apiAuthClientId}'
            apiAuthClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output id string = functionApp.id
output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
