// What operators look at: an Azure portal dashboard (the glance) and a workbook (the drill-down).
// Per-stage throughput and failures come from the Functions host's request telemetry; Event Hubs,
// Cosmos DB and Azure OpenAI numbers from platform metrics (read live, split per hub, container
// and deployment; Event Hubs and OpenAI metrics also reach the workspace through diagnostic
// settings).
param dashboardName string
param workbookDisplayName string
param location string = resourceGroup().location
param tags object = {}
param applicationInsightsName string
param logAnalyticsWorkspaceId string
param eventHubsNamespaceName string
param cosmosAccountName string
param feedbackStorageAccountName string
param functionAppName string
@description('Empty when Azure OpenAI is not deployed.')
param openAiAccountName string = ''

// Telemetry the app emits on purpose (everything else here is platform telemetry). The names
// must match the app's telemetry module.
var telemetry = {
  quarantinedEvent: 'FeedbackQuarantined'
  alertSentEvent: 'AlertSent'
  ticketCreatedEvent: 'TicketCreated'
  eventAgeMetric: 'EventAgeSeconds'
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: cosmosAccountName
}

var openAiAccountId = empty(openAiAccountName)
  ? ''
  : resourceId('Microsoft.CognitiveServices/accounts', openAiAccountName)

// ---- Queries (Log Analytics tables of the workspace-based Application Insights) ----
var queries = {
  throughput: 'AppRequests\n| summarize Count = sum(ItemCount) by bin(TimeGenerated, 15m), Stage = Name\n| order by TimeGenerated asc'
  failures: 'AppRequests\n| where Success == false\n| summarize Count = sum(ItemCount) by bin(TimeGenerated, 15m), Stage = Name\n| order by TimeGenerated asc'
  quarantined: 'AppEvents\n| where Name == "${telemetry.quarantinedEvent}"\n| summarize Count = sum(ItemCount) by bin(TimeGenerated, 1h), Stage = tostring(Properties["stage"])\n| order by TimeGenerated asc'
  actions: 'AppEvents\n| where Name in ("${telemetry.alertSentEvent}", "${telemetry.ticketCreatedEvent}")\n| summarize Count = sum(ItemCount) by bin(TimeGenerated, 1h), Action = Name\n| order by TimeGenerated asc'
  llmTokens: 'AzureMetrics\n| where ResourceProvider == "MICROSOFT.COGNITIVESERVICES" and MetricName in ("ProcessedPromptTokens", "GeneratedTokens")\n| summarize Count = sum(Total) by bin(TimeGenerated, 1h), Metric = MetricName\n| order by TimeGenerated asc'
  eventHubs: 'AzureMetrics\n| where ResourceProvider == "MICROSOFT.EVENTHUB" and MetricName in ("IncomingMessages", "OutgoingMessages")\n| summarize Count = sum(Total) by bin(TimeGenerated, 15m), Metric = MetricName\n| order by TimeGenerated asc'
  eventAge: 'AppMetrics\n| where Name == "${telemetry.eventAgeMetric}"\n| summarize Count = max(Max) by bin(TimeGenerated, 15m), Stage = tostring(Properties["stage"])\n| order by TimeGenerated asc'
  ticketRuns: 'AzureDiagnostics\n| where ResourceProvider == "MICROSOFT.LOGIC" and Category == "WorkflowRuntime" and OperationName endswith "workflowRunCompleted"\n| summarize Count = count() by bin(TimeGenerated, 1h), Status = status_s\n| order by TimeGenerated asc'
}

// ---- Dashboard ----
var tiles = [
  {
    title: 'Throughput per stage'
    subtitle: 'Function invocations (ingest, normalize, classify, score, route, ...)'
    query: queries.throughput
    split: 'Stage'
    chart: 'StackedColumn'
  }
  {
    title: 'Failures per stage'
    subtitle: 'Failed invocations; the trigger retries them'
    query: queries.failures
    split: 'Stage'
    chart: 'StackedColumn'
  }
  {
    title: 'Quarantined items'
    subtitle: 'Bad items set aside with their reason (replayable)'
    query: queries.quarantined
    split: 'Stage'
    chart: 'StackedColumn'
  }
  {
    title: 'Alerts and tickets sent'
    subtitle: 'Teams cards and tickets created'
    query: queries.actions
    split: 'Action'
    chart: 'StackedColumn'
  }
  {
    title: 'Consumer lag'
    subtitle: 'Oldest event age at processing, seconds'
    query: queries.eventAge
    split: 'Stage'
    chart: 'Line'
  }
  {
    title: 'LLM tokens'
    subtitle: 'Azure OpenAI prompt and generated tokens'
    query: queries.llmTokens
    split: 'Metric'
    chart: 'StackedColumn'
  }
]

var markdownPart = {
  position: {
    x: 0
    y: 0
    colSpan: 12
    rowSpan: 2
  }
  metadata: {
    type: 'Extension/HubsExtension/PartType/MarkdownPart'
    inputs: []
    settings: {
      content: {
        settings: {
          content: '**Feedback pipeline** — webhooks → raw blobs → normalize → classify → score → route (Teams, tickets).\n\nFunction App `${functionAppName}`, Event Hubs `${eventHubsNamespaceName}`, Cosmos DB `${cosmosAccountName}`, feedback storage `${feedbackStorageAccountName}`. Drill down in the workbook **${workbookDisplayName}** (Application Insights → Workbooks).'
          title: 'Feedback pipeline operations'
          subtitle: ''
        }
      }
    }
  }
}

var logParts = [
  for (tile, i) in tiles: {
    position: {
      x: (i % 2) * 6
      y: 2 + (i / 2) * 4
      colSpan: 6
      rowSpan: 4
    }
    metadata: {
      // any(): the dashboard schema only types Markdown parts.
      type: any('Extension/Microsoft_OperationsManagementSuite_Workspace/PartType/LogsDashboardPart')
      inputs: [
        {
          name: 'resourceTypeMode'
          isOptional: true
        }
        {
          name: 'ComponentId'
          isOptional: true
        }
        {
          name: 'Scope'
          value: {
            resourceIds: [
              logAnalyticsWorkspaceId
            ]
          }
          isOptional: true
        }
        {
          name: 'Version'
          value: '2.0'
          isOptional: true
        }
        {
          name: 'TimeRange'
          value: 'P1D'
          isOptional: true
        }
        {
          name: 'DashboardId'
          isOptional: true
        }
        {
          name: 'DraftRequestParameters'
          isOptional: true
        }
        {
          name: 'Query'
          value: tile.query
          isOptional: true
        }
        {
          name: 'ControlType'
          value: 'FrameControlChart'
          isOptional: true
        }
        {
          name: 'SpecificChart'
          value: tile.chart
          isOptional: true
        }
        {
          name: 'PartTitle'
          value: tile.title
          isOptional: true
        }
        {
          name: 'PartSubTitle'
          value: tile.subtitle
          isOptional: true
        }
        {
          name: 'Dimensions'
          value: {
            xAxis: {
              name: 'TimeGenerated'
              type: 'datetime'
            }
            yAxis: [
              {
                name: 'Count'
                type: 'real'
              }
            ]
            splitBy: [
              {
                name: tile.split
                type: 'string'
              }
            ]
            aggregation: 'Sum'
          }
          isOptional: true
        }
        {
          name: 'LegendOptions'
          value: {
            isEnabled: true
            position: 'Bottom'
          }
          isOptional: true
        }
        {
          name: 'IsQueryContainTimeRange'
          value: false
          isOptional: true
        }
      ]
      settings: {}
    }
  }
]

var markdownParts = [
  markdownPart
]

// Live platform metrics split per hub and per container (Cosmos DB request units are not
// exported through diagnostic settings, so they are charted from Azure Monitor directly).
var metricCharts = [
  {
    title: 'Event Hubs messages in and out, per hub'
    metrics: [
      {
        resourceMetadata: {
          id: eventHubsNamespace.id
        }
        name: 'IncomingMessages'
        aggregationType: 1
        namespace: 'microsoft.eventhub/namespaces'
        metricVisualization: {
          displayName: 'Incoming messages'
        }
      }
      {
        resourceMetadata: {
          id: eventHubsNamespace.id
        }
        name: 'OutgoingMessages'
        aggregationType: 1
        namespace: 'microsoft.eventhub/namespaces'
        metricVisualization: {
          displayName: 'Outgoing messages'
        }
      }
    ]
    dimension: 'EntityName'
  }
  {
    title: 'Cosmos DB request units, per container'
    metrics: [
      {
        resourceMetadata: {
          id: cosmosAccount.id
        }
        name: 'TotalRequestUnits'
        aggregationType: 1
        namespace: 'microsoft.documentdb/databaseaccounts'
        metricVisualization: {
          displayName: 'Request units'
        }
      }
    ]
    dimension: 'CollectionName'
  }
]

var metricParts = [
  for (chart, i) in metricCharts: {
    position: {
      x: i * 6
      y: 2 + ((length(tiles) + 1) / 2) * 4
      colSpan: 6
      rowSpan: 4
    }
    metadata: {
      type: any('Extension/HubsExtension/PartType/MonitorChartPart')
      inputs: [
        {
          name: 'options'
          isOptional: true
        }
        {
          name: 'sharedTimeRange'
          isOptional: true
        }
      ]
      settings: {
        content: {
          options: {
            chart: {
              metrics: chart.metrics
              title: chart.title
              titleKind: 2
              grouping: {
                dimension: chart.dimension
                sort: 2
                top: 10
              }
              visualization: {
                chartType: 2
                legendVisualization: {
                  isVisible: true
                  position: 2
                  hideSubtitle: false
                }
                axisVisualization: {
                  x: {
                    isVisible: true
                    axisType: 2
                  }
                  y: {
                    isVisible: true
                    axisType: 1
                  }
                }
              }
            }
          }
        }
      }
    }
  }
]

var dashboardParts = concat(markdownParts, logParts, metricParts)

resource dashboard 'Microsoft.Portal/dashboards@2022-12-01-preview' = {
  name: dashboardName
  location: location
  tags: union(tags, {
    'hidden-title': 'Feedback pipeline operations'
  })
  properties: {
    lenses: [
      {
        order: 0
        parts: dashboardParts
      }
    ]
    metadata: {
      model: {
        timeRange: {
          value: {
            relative: {
              duration: 24
              timeUnit: 1
            }
          }
          type: 'MsPortalFx.Composition.Configuration.ValueTypes.TimeRange'
        }
      }
    }
  }
}

// ---- Workbook ----
var workbookOnlyTiles = [
  {
    title: 'Event Hubs in and out (namespace)'
    subtitle: 'A gap that keeps growing means a stage is falling behind'
    query: queries.eventHubs
    split: 'Metric'
    chart: 'Line'
  }
  {
    title: 'Ticket Logic App runs'
    subtitle: 'Run outcomes of the ticket workflow'
    query: queries.ticketRuns
    split: 'Status'
    chart: 'StackedColumn'
  }
]
var workbookTiles = concat(tiles, workbookOnlyTiles)
var workbookQueryItems = [
  for (tile, i) in workbookTiles: {
    type: 3
    name: 'query-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: tile.title
      query: tile.query
      size: 0
      queryType: 0
      resourceType: 'microsoft.operationalinsights/workspaces'
      crossComponentResources: [
        logAnalyticsWorkspaceId
      ]
      timeContextFromParameter: 'TimeRange'
      visualization: tile.chart == 'Line' ? 'timechart' : 'barchart'
      noDataMessage: tile.subtitle
    }
    customWidth: '50'
  }
]

// Live platform metrics, split by dimension (diagnostic settings drop dimensions).
var eventHubsMetricsItem = {
  type: 10
  name: 'eventhubs-per-hub'
  content: {
    chartId: 'eventhubs-per-hub'
    version: 'MetricsItem/2.0'
    title: 'Event Hubs incoming vs outgoing messages per hub (outgoing counts every consumer group)'
    size: 0
    chartType: 2
    resourceType: 'microsoft.eventhub/namespaces'
    metricScope: 0
    resourceIds: [
      eventHubsNamespace.id
    ]
    timeContextFromParameter: 'TimeRange'
    metrics: [
      {
        namespace: 'microsoft.eventhub/namespaces'
        metric: 'microsoft.eventhub/namespaces--IncomingMessages'
        aggregation: 1
        splitBy: 'EntityName'
      }
      {
        namespace: 'microsoft.eventhub/namespaces'
        metric: 'microsoft.eventhub/namespaces--OutgoingMessages'
        aggregation: 1
        splitBy: 'EntityName'
      }
    ]
  }
  customWidth: '50'
}

var cosmosMetricsItem = {
  type: 10
  name: 'cosmos-ru-per-container'
  content: {
    chartId: 'cosmos-ru-per-container'
    version: 'MetricsItem/2.0'
    title: 'Cosmos DB request units per container'
    size: 0
    chartType: 2
    resourceType: 'microsoft.documentdb/databaseaccounts'
    metricScope: 0
    resourceIds: [
      cosmosAccount.id
    ]
    timeContextFromParameter: 'TimeRange'
    metrics: [
      {
        namespace: 'microsoft.documentdb/databaseaccounts'
        metric: 'microsoft.documentdb/databaseaccounts--TotalRequestUnits'
        aggregation: 1
        splitBy: 'CollectionName'
      }
    ]
  }
  customWidth: '50'
}

var platformMetricsItems = [
  eventHubsMetricsItem
  cosmosMetricsItem
]

var openAiMetricsItems = empty(openAiAccountId)
  ? []
  : [
      {
        type: 10
        name: 'openai-tokens'
        content: {
          chartId: 'openai-tokens'
          version: 'MetricsItem/2.0'
          title: 'Azure OpenAI tokens per deployment'
          size: 0
          chartType: 2
          resourceType: 'microsoft.cognitiveservices/accounts'
          metricScope: 0
          resourceIds: [
            openAiAccountId
          ]
          timeContextFromParameter: 'TimeRange'
          metrics: [
            {
              namespace: 'microsoft.cognitiveservices/accounts'
              metric: 'microsoft.cognitiveservices/accounts--ProcessedPromptTokens'
              aggregation: 1
              splitBy: 'ModelDeploymentName'
            }
            {
              namespace: 'microsoft.cognitiveservices/accounts'
              metric: 'microsoft.cognitiveservices/accounts--GeneratedTokens'
              aggregation: 1
              splitBy: 'ModelDeploymentName'
            }
          ]
        }
        customWidth: '50'
      }
    ]

var workbookHeader = [
  {
    type: 1
    name: 'intro'
    content: {
      json: '## Feedback pipeline\nThroughput, failures and quarantine per stage; alerts and tickets; Event Hubs flow and lag; LLM tokens; Cosmos DB request units. App events: `${telemetry.quarantinedEvent}`, `${telemetry.alertSentEvent}`, `${telemetry.ticketCreatedEvent}`; app metric `${telemetry.eventAgeMetric}`.'
    }
  }
  {
    type: 9
    name: 'parameters'
    content: {
      version: 'KqlParameterItem/1.0'
      parameters: [
        {
          id: guid('feedback-pipeline-workbook', 'TimeRange')
          version: 'KqlParameterItem/1.0'
          name: 'TimeRange'
          label: 'Time range'
          type: 4
          isRequired: true
          value: {
            durationMs: 86400000
          }
          typeSettings: {
            selectableValues: [
              {
                durationMs: 3600000
              }
              {
                durationMs: 14400000
              }
              {
                durationMs: 86400000
              }
              {
                durationMs: 604800000
              }
              {
                durationMs: 2592000000
              }
            ]
          }
        }
      ]
    }
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(workbookHeader, workbookQueryItems, platformMetricsItems, openAiMetricsItems)
  isLocked: false
  fallbackResourceIds: [
    applicationInsights.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; this one is stable per resource group.
  name: guid(resourceGroup().id, 'feedback-pipeline-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: workbookDisplayName
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(workbookContent)
    version: '1.0'
  }
}

output dashboardId string = dashboard.id
output workbookId string = workbook.id
