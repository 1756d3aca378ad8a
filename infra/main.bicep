// Feedback pipeline on Azure: Flex Consumption Functions, Event Hubs, Storage + Event Grid,
// Cosmos DB, Azure OpenAI, a ticket Logic App, Key Vault and monitoring. `azd up` deploys it.
// Every data-plane call uses the user-assigned identity; local auth is off wherever the service allows.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource token used in every resource name.')
param environmentName string

@minLength(1)
@description('Primary location for all resources. Must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Optional override of the resource group name.')
param resourceGroupName string = ''

@description('Object id of the person or pipeline running azd; gets data access for debugging and secret upkeep. Empty to skip.')
param principalId string = ''

@description('Type of principalId: User for a person, ServicePrincipal for a CI pipeline.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

// ---- Function App ----
@description('Memory per instance of the Flex Consumption app.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Upper bound on instances the Flex Consumption app scales out to.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Client id of an Entra ID app registration for people signing in to the incident and review APIs (App Service Authentication). Bicep cannot create app registrations; see docs/deploy.md. Empty: those APIs refuse every caller.')
param apiAuthClientId string = ''

@description('Largest webhook body ingest accepts, in bytes.')
param webhookMaxBytes int = 1048576

@description('How old a signed webhook timestamp may be before ingest rejects it as a replay, in seconds.')
param webhookReplayWindowSeconds int = 300

// ---- Azure OpenAI ----
@description('Deploy an Azure OpenAI account. Without it the pipeline classifies with rules and the compact model only.')
param enableOpenAi bool = true

@description('Region of the Azure OpenAI account (model availability differs by region).')
param openAiLocation string = ''

param openAiChatModelName string = 'gpt-4o-mini'
param openAiChatModelVersion string = '2024-07-18'
@description('Chat deployment capacity, in thousands of tokens per minute.')
param openAiChatCapacity int = 30
param openAiEmbeddingModelName string = 'text-embedding-3-small'
param openAiEmbeddingModelVersion string = '1'
@description('Embeddings deployment capacity, in thousands of tokens per minute.')
param openAiEmbeddingCapacity int = 30
@description('Deployment SKU: GlobalStandard for pay-as-you-go across regions, Standard to keep data in the region.')
@allowed([
  'GlobalStandard'
  'Standard'
  'DataZoneStandard'
])
param openAiDeploymentSku string = 'GlobalStandard'
@description('Data-plane API version the app calls; strict json_schema output needs 2024-08-01-preview or later.')
param openAiApiVersion string = '2024-10-21'

// ---- Tickets ----
@description('Which ticket system the Logic App creates issues in. none: the Logic App answers 202 and creates nothing.')
@allowed([
  'none'
  'jira'
  'servicenow'
])
param ticketSystem string = 'none'
@description('Jira project key new issues go to (ticketSystem jira).')
param jiraProjectKey string = ''
@description('Jira issue type id new issues get (ticketSystem jira).')
param jiraIssueTypeId string = ''
@description('Jira site URL for ticket links, e.g. https://contoso.atlassian.net (ticketSystem jira).')
param jiraSiteUrl string = ''
@description('ServiceNow table new records go to (ticketSystem servicenow).')
param serviceNowTable string = 'incident'
@description('ServiceNow instance URL for ticket links, e.g. https://contoso.service-now.com (ticketSystem servicenow).')
param serviceNowInstanceUrl string = ''

// ---- Secrets (main.parameters.json feeds these from azd: secretOrRandomPassword keeps what is in Key Vault) ----
@secure()
@description('Shopify webhook signing secrets, comma separated (current first).')
param shopifyWebhookSecrets string
@secure()
@description('Judge.me webhook signing secrets, comma separated.')
param judgemeWebhookSecrets string
@secure()
@description('Zendesk webhook signing secrets, comma separated.')
param zendeskWebhookSecrets string
@secure()
@description('Signing secrets of the generic webhook (X-Feedback-Signature), comma separated.')
param genericWebhookSecrets string
@secure()
@description('HMAC key for stable PII tokens. Changing it changes every token.')
param piiTokenKey string
@secure()
@description('HMAC key for signed action links on Teams cards.')
param actionLinkKey string
@secure()
@description('Teams Workflows webhook URL. Empty: a placeholder that cannot deliver (see docs/deploy.md).')
param teamsWebhookUrl string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Pipeline topology. It mirrors shared/topology.ts key for key (hubs with consumerGroupsFor(),
// blobContainers, cosmosContainers, defaultCosmosDatabase); test/unit/infra-names.test.ts
// fails when the two drift. Change shared/topology.ts first, then this block.
var pipelineTopology = {
  hubs: {
    normalized: {
      name: 'feedback-normalized'
      partitions: 4
      consumerGroups: [
        '$Default'
        'classify'
      ]
    }
    classified: {
      name: 'feedback-classified'
      partitions: 4
      consumerGroups: [
        '$Default'
        'score'
      ]
    }
    scored: {
      name: 'feedback-scored'
      partitions: 4
      consumerGroups: [
        '$Default'
        'route'
      ]
    }
  }
  blobContainers: {
    raw: 'raw'
    landing: 'landing'
    poison: 'webjobs-blobtrigger-poison'
    checkpoints: 'eventhub-checkpoints'
    receipts: 'azure-webjobs-hosts'
  }
  cosmosContainers: {
    feedback: {
      name: 'feedback'
      partitionKey: '/id'
    }
    features: {
      name: 'features'
      partitionKey: '/key'
    }
    incidents: {
      name: 'incidents'
      partitionKey: '/key'
    }
    reviewQueue: {
      name: 'reviewQueue'
      partitionKey: '/id'
    }
    quarantine: {
      name: 'quarantine'
      partitionKey: '/id'
    }
    llmCache: {
      name: 'llmCache'
      partitionKey: '/hash'
    }
    dedupe: {
      name: 'dedupe'
      partitionKey: '/key'
    }
  }
  defaultCosmosDatabase: 'feedback'
  // Blob-triggered functions (Event Grid source) and the container each one watches. The
  // postdeploy hook subscribes each one that is deployed and skips the others.
  blobTriggers: [
    {
      functionName: 'normalize'
      container: 'raw'
    }
    {
      functionName: 'ingestExport'
      container: 'landing'
    }
  ]
}

// Who may call Azure OpenAI: the app identity, and the deployer when one is given.
var appPrincipal = {
  id: identity.outputs.principalId
  type: 'ServicePrincipal'
}
var deployerPrincipal = {
  id: principalId
  type: principalType
}
var openAiUserPrincipals = empty(principalId)
  ? [
      appPrincipal
    ]
  : [
      appPrincipal
      deployerPrincipal
    ]

var hubList = [for hub in items(pipelineTopology.hubs): hub.value]
var cosmosContainerList = [for container in items(pipelineTopology.cosmosContainers): container.value]

var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var hostStorageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var feedbackStorageAccountName = '${abbrs.storageStorageAccounts}fb${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/security/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// Host storage: deployment package, host locks, blob trigger receipts, Event Hubs checkpoints.
module hostStorage 'core/storage/storage-account.bicep' = {
  name: 'host-storage'
  scope: rg
  params: {
    name: hostStorageAccountName
    location: location
    tags: tags
    containers: [
      deploymentStorageContainerName
      pipelineTopology.blobContainers.receipts
    ]
    queues: []
  }
}

// Feedback storage: the immutable raw envelopes and the export drop zone, watched through Event Grid.
module feedbackStorage 'core/storage/storage-account.bicep' = {
  name: 'feedback-storage'
  scope: rg
  params: {
    name: feedbackStorageAccountName
    location: location
    tags: tags
    containers: [
      pipelineTopology.blobContainers.raw
      pipelineTopology.blobContainers.landing
    ]
    // The blob trigger parks poison messages in a queue of the watched account.
    queues: [
      pipelineTopology.blobContainers.poison
    ]
  }
}

module blobEvents 'app/blob-events.bicep' = {
  name: 'blob-events'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}fb-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: feedbackStorage.outputs.name
  }
}

module eventHubs 'app/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: rg
  params: {
    name: '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    hubs: hubList
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: pipelineTopology.defaultCosmosDatabase
    containers: cosmosContainerList
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module openAi 'app/openai.bicep' = if (enableOpenAi) {
  name: 'openai'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesOpenAI}${resourceToken}'
    location: !empty(openAiLocation) ? openAiLocation : location
    tags: tags
    deploymentSku: openAiDeploymentSku
    chatModelName: openAiChatModelName
    chatModelVersion: openAiChatModelVersion
    chatCapacity: openAiChatCapacity
    embeddingModelName: openAiEmbeddingModelName
    embeddingModelVersion: openAiEmbeddingModelVersion
    embeddingCapacity: openAiEmbeddingCapacity
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    userPrincipals: openAiUserPrincipals
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    shopifyWebhookSecrets: shopifyWebhookSecrets
    judgemeWebhookSecrets: judgemeWebhookSecrets
    zendeskWebhookSecrets: zendeskWebhookSecrets
    genericWebhookSecrets: genericWebhookSecrets
    piiTokenKey: piiTokenKey
    actionLinkKey: actionLinkKey
    teamsWebhookUrl: teamsWebhookUrl
  }
}

module ticketLogicApp 'app/ticket-logic-app.bicep' = {
  name: 'ticket-logic-app'
  scope: rg
  params: {
    name: '${abbrs.logicWorkflows}tickets-${resourceToken}'
    connectionNamePrefix: '${abbrs.webConnections}${resourceToken}'
    location: location
    tags: tags
    ticketSystem: ticketSystem
    jiraProjectKey: jiraProjectKey
    jiraIssueTypeId: jiraIssueTypeId
    jiraSiteUrl: jiraSiteUrl
    serviceNowTable: serviceNowTable
    serviceNowInstanceUrl: serviceNowInstanceUrl
    keyVaultName: keyVault.outputs.name
    callbackUrlSecretName: keyVault.outputs.secretNames.ticketLogicAppUrl
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module appServicePlan 'core/host/flex-consumption-plan.bicep' = {
  name: 'app-service-plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.id
    instanceMemoryMB: functionInstanceMemoryMB
    maximumInstanceCount: functionMaximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorage.outputs.name
    deploymentStorageContainerName: deploymentStorageContainerName
    feedbackStorageAccountName: feedbackStorage.outputs.name
    eventHubsNamespaceFqdn: eventHubs.outputs.fullyQualifiedNamespace
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    openAiEndpoint: enableOpenAi ? openAi.outputs.endpoint : ''
    openAiChatDeployment: enableOpenAi ? openAi.outputs.chatDeploymentName : ''
    openAiApiVersion: openAiApiVersion
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultSecretUris: keyVault.outputs.secretUris
    webhookMaxBytes: webhookMaxBytes
    webhookReplayWindowSeconds: webhookReplayWindowSeconds
    apiAuthClientId: apiAuthClientId
  }
  // The app starts resolving Key Vault references and opening connections as soon as its settings
  // exist: grant its roles first, and let the Logic App module write the callback URL secret.
  dependsOn: [
    rbac
    ticketLogicApp
  ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    managedIdentityPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
    hostStorageAccountName: hostStorage.outputs.name
    feedbackStorageAccountName: feedbackStorage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.name
    cosmosAccountName: cosmos.outputs.accountName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module operations 'app/operations.bicep' = {
  name: 'operations'
  scope: rg
  params: {
    dashboardName: '${abbrs.portalDashboards}${resourceToken}'
    workbookDisplayName: 'Feedback pipeline operations (${environmentName})'
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    eventHubsNamespaceName: eventHubs.outputs.name
    cosmosAccountName: cosmos.outputs.accountName
    feedbackStorageAccountName: feedbackStorage.outputs.name
    functionAppName: api.outputs.name
    openAiAccountName: enableOpenAi ? openAi.outputs.name : ''
  }
}

// ---- Outputs azd writes into .azure/<env>/.env (hooks and local tooling read them) ----
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.endpoint
output AZURE_STORAGE_ACCOUNT_NAME string = hostStorage.outputs.name
output FEEDBACK_STORAGE_ACCOUNT_NAME string = feedbackStorage.outputs.name
output FEEDBACK_STORAGE__blobServiceUri string = feedbackStorage.outputs.blobEndpoint
output FEEDBACK_STORAGE_SYSTEM_TOPIC_NAME string = blobEvents.outputs.name
// Space-separated `function=container` pairs the postdeploy hook subscribes to Event Grid.
output BLOB_TRIGGER_SUBSCRIPTIONS string = join(map(pipelineTopology.blobTriggers, t => '${t.functionName}=${t.container}'), ' ')
output EVENTHUB_NAMESPACE_NAME string = eventHubs.outputs.name
output EVENTHUB_CONNECTION__fullyQualifiedNamespace string = eventHubs.outputs.fullyQualifiedNamespace
output COSMOS_ACCOUNT_NAME string = cosmos.outputs.accountName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output AZURE_OPENAI_ENDPOINT string = enableOpenAi ? openAi.outputs.endpoint : ''
output AZURE_OPENAI_DEPLOYMENT string = enableOpenAi ? openAi.outputs.chatDeploymentName : ''
output AZURE_OPENAI_EMBEDDING_DEPLOYMENT string = enableOpenAi ? openAi.outputs.embeddingDeploymentName : ''
output AZURE_OPENAI_API_VERSION string = openAiApiVersion
output TICKET_LOGIC_APP_NAME string = ticketLogicApp.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
output PUBLIC_BASE_URL string = api.outputs.uri
